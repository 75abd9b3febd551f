package dev.fulcrum.aeron;

/**
 * The two channels the tests run over: shared memory on one driver, and UDP on the loopback interface.
 */
enum Transport
{
    IPC,
    UDP;

    /**
     * @return a request channel and a reply channel; for UDP on two loopback ports free a moment ago.
     */
    String[] channels()
    {
        if (this == IPC)
        {
            return new String[]{ "aeron:ipc", "aeron:ipc" };
        }
        return new String[]{
            "aeron:udp?endpoint=localhost:" + TestDriver.freeUdpPort(),
            "aeron:udp?endpoint=localhost:" + TestDriver.freeUdpPort() };
    }
}
