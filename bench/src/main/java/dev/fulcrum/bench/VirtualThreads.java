package dev.fulcrum.bench;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ThreadFactory;

/**
 * Virtual threads for the benchmarks that compare them, found at run time: the bench builds for Java 17, and a
 * JDK 21 or later has {@code Thread.ofVirtual()}.
 */
final class VirtualThreads
{
    private VirtualThreads()
    {
    }

    /**
     * @return true when this JVM has virtual threads (JDK 21 or later).
     */
    static boolean available()
    {
        return Runtime.version().feature() >= 21;
    }

    /**
     * @return {@code Thread.ofVirtual().factory()}.
     * @throws IllegalStateException naming the running Java version when it has no virtual threads.
     */
    static ThreadFactory factory()
    {
        if (!available())
        {
            throw new IllegalStateException("virtual threads need a JDK 21 or later: java.version=" +
                System.getProperty("java.version"));
        }
        try
        {
            final Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            // through the public interface: the builder's own class is not exported
            return (ThreadFactory)Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        }
        catch (final ReflectiveOperationException ex)
        {
            final Throwable cause = ex instanceof InvocationTargetException ? ex.getCause() : ex;
            throw new IllegalStateException("Thread.ofVirtual().factory() failed on java.version=" +
                System.getProperty("java.version"), cause);
        }
    }
}
