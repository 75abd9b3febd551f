package dev.fulcrum;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

import static dev.fulcrum.BalancerBuilder.LATENCY_SAMPLING_PROPERTY;
import static dev.fulcrum.BalancerBuilder.MAX_JOBS;
import static dev.fulcrum.BalancerBuilder.MAX_PARKED;
import static dev.fulcrum.BalancerBuilder.MAX_QUEUE_SLOTS;

/**
 * What a {@link BalancerBuilder} was told, checked together and resolved into the values the engine is built from:
 * defaults that depend on other settings (the queue capacity, parking, the pool's capacity), the system property and
 * environment behind a setting left unset, and every bound that spans two settings. Made once, by
 * {@link BalancerBuilder#build()}, before anything is allocated; immutable afterwards.
 */
final class EngineSettings
{
    final Task<?, ?> task;
    final int workers;
    final int maxWorkers;
    final int ringSize;
    /** The ceiling of the adaptive cap, or the cap when binding is fixed. */
    final int maxPendingPerWorker;
    final boolean adaptiveBinding;
    final long bindingTargetNs;
    final int workerQueueCapacity;
    final int maxParked;
    /** {@link Integer#MAX_VALUE} when unset: no bound but {@link #maxParked}'s. */
    final int maxParkedPerKey;
    final Policy policy;
    final ThreadingMode threadingMode;
    final boolean singleProducer;
    /** The application's threads that keep a core busy, as the user counted them. */
    final int busyApplicationThreads;
    final Supplier<IdleStrategy> balancerIdleStrategy;
    final Supplier<IdleStrategy> workerIdleStrategy;
    /** One CPU per engine thread, or null for no pinning. */
    final int[] pinCpus;
    final ErrorHandler errorHandler;
    final ThreadFactory threadFactory;
    /** 0 when stall detection is off. */
    final long stallThresholdNs;
    final NanoClock clock;
    final boolean latencyHistograms;
    /** 1 (every request) or a larger power of 2. */
    final int latencySampling;
    final long latencyIntervalNs;
    final int jfrRequestSampling;
    /** Where the counters file goes, or null for counters in memory only. */
    final Path countersDirectory;
    final boolean manualWorkers;
    final boolean manualWatchdog;

    /**
     * @throws IllegalArgumentException when settings do not fit together, or a property or variable behind an unset
     *                                  one is malformed, naming each and its value.
     */
    EngineSettings(final BalancerBuilder<?, ?> b)
    {
        task = b.task;
        workers = b.workers;
        maxWorkers = b.maxWorkers > 0 ? b.maxWorkers : b.workers;
        ringSize = b.ringSize;
        adaptiveBinding = b.adaptiveBinding;
        bindingTargetNs = b.bindingTargetNs;
        maxPendingPerWorker = b.maxPendingPerWorker > 0 ? b.maxPendingPerWorker :
            EngineDefaults.maxPendingPerWorker(adaptiveBinding, maxWorkers);
        workerQueueCapacity = b.workerQueueCapacity > 0 ? b.workerQueueCapacity :
            Math.max(2, Integer.highestOneBit(maxPendingPerWorker - 1) << 1);
        maxParked = b.maxParked > 0 ? b.maxParked : (int)Math.min(MAX_PARKED, (long)maxWorkers * maxPendingPerWorker);
        maxParkedPerKey = b.maxParkedPerKey > 0 ? b.maxParkedPerKey : Integer.MAX_VALUE;
        policy = b.policy;
        threadingMode = null != b.threadingMode ? b.threadingMode :
            EngineDefaults.threadingMode(
            Runtime.getRuntime().availableProcessors(), workers, maxWorkers, b.stallThresholdNs > 0);
        singleProducer = b.singleProducer;
        busyApplicationThreads = b.busyApplicationThreads;
        balancerIdleStrategy = b.balancerIdleStrategy;
        workerIdleStrategy = b.workerIdleStrategy;
        pinCpus = b.pinCpus;
        errorHandler = b.errorHandler;
        threadFactory = b.threadFactory;
        stallThresholdNs = b.stallThresholdNs;
        clock = b.clock;
        latencyHistograms = b.latencyHistograms;
        latencySampling = b.latencySampling > 0 ? b.latencySampling : samplingFromProperty();
        latencyIntervalNs = b.latencyIntervalNs;
        jfrRequestSampling = b.jfrRequestSampling;
        countersDirectory = null != b.countersDirectory ? b.countersDirectory :
            dev.fulcrum.stat.CountersFile.configuredDirectory().orElse(null);
        manualWorkers = b.manualWorkers;
        manualWatchdog = b.manualWatchdog;
        checkTogether(b);
    }

    private static int samplingFromProperty()
    {
        final String property = System.getProperty(LATENCY_SAMPLING_PROPERTY);
        if (null == property)
        {
            return 1;
        }
        int everyN;
        try
        {
            everyN = Integer.parseInt(property.trim());
        }
        catch (final NumberFormatException ex)
        {
            everyN = -1;
        }
        return checkSampling("-D" + LATENCY_SAMPLING_PROPERTY, everyN);
    }

    private void checkTogether(final BalancerBuilder<?, ?> b)
    {
        if (0 == workers && (b.maxWorkers <= 0 || ThreadingMode.SHARED == threadingMode))
        {
            throw new IllegalArgumentException("workers=0 needs maxWorkers >= 1 and a threading mode other than " +
                "SHARED (whose balancer runs on worker 0's thread): workers=0, maxWorkers=" + maxWorkers +
                ", threadingMode=" + threadingMode);
        }
        if (b.maxWorkers > 0 && b.maxWorkers < workers)
        {
            throw new IllegalArgumentException(
                "maxWorkers must be >= workers: maxWorkers=" + maxWorkers + ", workers=" + workers);
        }
        if (maxPendingPerWorker > workerQueueCapacity)
        {
            throw new IllegalArgumentException(
                "maxPendingPerWorker must be <= workerQueueCapacity: maxPendingPerWorker=" +
                maxPendingPerWorker + ", workerQueueCapacity=" + workerQueueCapacity);
        }
        if (b.maxParkedPerKey > 0 && maxParkedPerKey > maxParked)
        {
            throw new IllegalArgumentException("maxParkedPerKey must be <= maxParked: maxParkedPerKey=" +
                maxParkedPerKey + ", maxParked=" + maxParked);
        }
        final long jobs = JobPool.sizeFor(maxWorkers, maxPendingPerWorker, maxParked);
        if (jobs > MAX_JOBS)
        {
            throw new IllegalArgumentException("3 x maxWorkers x maxPendingPerWorker + maxParked + 1 must be <= " +
                MAX_JOBS + ": maxWorkers=" + maxWorkers + ", maxPendingPerWorker=" + maxPendingPerWorker +
                ", maxParked=" + maxParked + " make " + jobs + " jobs");
        }
        final long slots = (long)maxWorkers * workerQueueCapacity;
        if (slots > MAX_QUEUE_SLOTS)
        {
            throw new IllegalArgumentException("maxWorkers x workerQueueCapacity must be <= " + MAX_QUEUE_SLOTS +
                ": maxWorkers=" + maxWorkers + ", workerQueueCapacity=" + workerQueueCapacity);
        }
        if (jfrRequestSampling > 0 && !latencyHistograms)
        {
            throw new IllegalArgumentException("jfrRequestSampling needs latencyHistograms(true), whose stamps it " +
                "carries: jfrRequestSampling=" + jfrRequestSampling + ", latencyHistograms=false");
        }
        if (null != pinCpus)
        {
            final int threads = workers + (ThreadingMode.DEDICATED == threadingMode ? 1 : 0);
            if (pinCpus.length != threads)
            {
                throw new IllegalArgumentException("pinCpus needs one CPU per engine thread: threads=" + threads +
                    " (" + threadingMode + ", workers=" + workers + "), cpus=" + Arrays.toString(pinCpus));
            }
        }
    }

    // the bounds of single settings, for the builder's setters

    static int checkRange(final String name, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ": " + name + "=" + value);
        }
        return value;
    }

    static int checkPowerOfTwo(final String name, final int value, final int min, final int max)
    {
        if (value < min || value > max || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(
                name + " must be a power of 2, " + min + " to " + max + ": " + name + "=" + value);
        }
        return value;
    }

    static int checkSampling(final String name, final int everyN)
    {
        if (everyN < 1 || everyN > BalancerBuilder.MAX_LATENCY_SAMPLING || Integer.bitCount(everyN) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of 2 from 1 to " + BalancerBuilder.MAX_LATENCY_SAMPLING +
                ": " + name + "=" + everyN);
        }
        return everyN;
    }
}
