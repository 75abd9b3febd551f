package dev.fulcrum.examples;

import dev.fulcrum.Task;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The work of {@link RemotePikeDemo}, run by each worker host: a request is 8 bytes, the requester's number and the
 * work's length in microseconds; the work parks for that long (Pike's {@code Sleep}) and hands the request back as
 * its result. A public class with a public no-argument constructor, so a host's command line can name it
 * ({@code --task=dev.fulcrum.examples.PikeWork}).
 */
public final class PikeWork implements Task<byte[], byte[]>
{
    /**
     * @param requester the requester's number.
     * @param workUs    how long the work takes, in microseconds.
     * @return the request's bytes.
     */
    static byte[] request(final int requester, final int workUs)
    {
        return ByteBuffer.allocate(8).putInt(requester).putInt(workUs).array();
    }

    @Override
    public byte[] execute(final byte[] request)
    {
        final long workNs = TimeUnit.MICROSECONDS.toNanos(ByteBuffer.wrap(request).getInt(4));
        final long end = System.nanoTime() + workNs;
        for (long left = workNs; left > 0; left = end - System.nanoTime())
        {
            LockSupport.parkNanos(left);
        }
        return request;
    }
}
