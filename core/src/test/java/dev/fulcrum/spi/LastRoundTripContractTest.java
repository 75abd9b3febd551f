package dev.fulcrum.spi;

import dev.fulcrum.Policy;
import dev.fulcrum.PolicyContract;

/**
 * The contract suite on a policy from outside the package, as a user runs it on theirs (the README shows this).
 */
// readme-contract-start
class LastRoundTripContractTest extends PolicyContract
{
    @Override
    protected Policy policy()
    {
        return Policy.custom("lastRoundTrip", LastRoundTrip::new);
    }
}
// readme-contract-end
