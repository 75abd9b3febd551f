/**
 * Fulcrum's remote workers over Aeron: {@link dev.fulcrum.aeron.AeronWorkerLink} is the balancer's side of one
 * worker host, {@link dev.fulcrum.aeron.AeronWorkerHost} serves a {@link dev.fulcrum.Task} to it, and a
 * {@link dev.fulcrum.aeron.Codec} writes requests and results into Agrona buffers.
 */
// Aeron publishes no module-info: javac's lint warns about requiring it, and about re-exporting it. Both are known
// and accepted, as the core does for Agrona: see the directives.
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.fulcrum.aeron
{
    exports dev.fulcrum.aeron;

    // WorkerLink and Task are in the API; through the core, Agrona's buffers are too.
    requires transitive dev.fulcrum;

    // Aeron (the client) is in the builders' signatures. An automatic module with a stable name, from its jar's
    // manifest (Automatic-Module-Name: io.aeron.client).
    requires transitive io.aeron.client;
    // The embedded media driver of AeronWorkerHost's main (Automatic-Module-Name: io.aeron.driver).
    requires io.aeron.driver;
}
