/**
 * Fulcrum's Micrometer binder: {@link dev.fulcrum.micrometer.FulcrumMetrics} shows a balancer under Micrometer's
 * executor-metrics names and Fulcrum's own.
 */
// Micrometer publishes no module-info: javac's lint warns about requiring it, and about re-exporting it. Both are
// known and accepted, as the core does for Agrona: see the directive.
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.fulcrum.micrometer
{
    exports dev.fulcrum.micrometer;

    // Balancer is in the binder's constructor: users of the binder read the core (and, through it, Agrona).
    requires transitive dev.fulcrum;

    // MeterBinder, MeterRegistry and Tag are in the API. Micrometer is an automatic module, but a stable one: its
    // jar's manifest names it (Automatic-Module-Name: micrometer.core), it does not come from the file name.
    requires transitive micrometer.core;
}
