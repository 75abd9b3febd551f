/**
 * Fulcrum: an in-process, low-latency, least-loaded load balancer on ring buffers. The API is the package
 * {@code dev.fulcrum}, whose engine classes are package-private, and {@code dev.fulcrum.stat}, the layout and reader
 * of the counters file another process can read.
 * <p>
 * Pinning threads to CPUs ({@code BalancerBuilder.pinCpus}) needs OpenHFT's Java-Thread-Affinity
 * ({@code net.openhft:affinity}) and JNA; nothing else does, and nothing loads them unless a CPU list is given.
 */
// Agrona publishes no module-info: javac's lint warns about requiring it, and about re-exporting it. Both are
// known and accepted: see the directive.
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.fulcrum
{
    exports dev.fulcrum;
    // the counters file's layout and its reader, for tools in other processes (fulcrum-stat); JDK types only
    exports dev.fulcrum.stat;

    // IdleStrategy, ErrorHandler and AgentInvoker appear in the public API, so every user of Fulcrum must read
    // Agrona. Agrona is an automatic module, but a stable one: its jar's manifest names it (Automatic-Module-Name),
    // it does not come from the file name. Re-exporting it is the only way to give users those types.
    requires transitive org.agrona;

    // Implementation only: no Disruptor or JCTools type appears in a public signature.
    requires com.lmax.disruptor;
    requires org.jctools.core.jdk11;  // the VarHandle queues; never sun.misc.Unsafe
    requires org.jctools.core;        // their interface, MessagePassingQueue
    // No histogram library: the latency histograms are the core's own (LogLinearHistogram), so every module
    // required here has a stable name, declared by its jar, and none is named after a jar's file.
    // Flight Recorder events (stalls, moves, closes, sampled requests); part of every JDK image that has JFR.
    requires jdk.jfr;

    // Not required: OpenHFT affinity (optional, for pinCpus only) has no module name, so Pinning reaches it by
    // reflection. On the module path it is resolved with no --add-modules, because Agrona is an automatic module
    // and resolving one automatic module resolves every automatic module on the module path.
}
