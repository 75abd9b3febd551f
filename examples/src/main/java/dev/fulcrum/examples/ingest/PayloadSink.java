package dev.fulcrum.examples.ingest;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where accepted payloads end up: a local directory by default ({@link DirectoryPayloadSink}); an object-store client
 * (Castilho's S3 upload) would implement the same methods, with {@link Writer#force()} returning once the store
 * has confirmed the batch.
 * <p>
 * Threading: each balancer worker thread opens one {@link Writer} of its own, the first time it needs one, and is
 * the only thread that uses it: it commits and closes it as its last act, when its worker is removed from the pool
 * or the server closes (a writer whose thread did not end is closed by the server's closing thread, once the
 * workers have stopped); the sink is closed last. {@link #openWriter(String)} may therefore be called from several
 * worker threads at once, also while the server runs (a worker added to the pool opens its own writer).
 */
public interface PayloadSink extends Closeable
{
    /**
     * Open the writer for one worker thread; called on that thread.
     *
     * @param workerName distinct per worker thread of this server, usable in a file or object name.
     * @return a writer that only that thread will use.
     * @throws IOException when the store cannot be reached; the payload at hand fails, and the next one retries.
     */
    Writer openWriter(String workerName) throws IOException;

    /**
     * @return true while the store can take payloads (for {@code /readyz}); may be called from any thread.
     */
    boolean writable();

    /**
     * Release whatever the sink holds; called once, after every writer has been closed.
     *
     * @throws IOException when releasing fails.
     */
    @Override
    void close() throws IOException;

    /**
     * One worker's stream of payloads into the store. Single-threaded: see {@link PayloadSink}.
     * <p>
     * A batch is {@code write}, {@code write}, ..., {@code flush}, then {@code force} in durable mode: the worker
     * calls them at the end of each batch it drained ({@code Task.onEndOfBatch}), or sooner when a batch outgrows
     * {@code FORCE_MAX_PAYLOADS} or {@code FORCE_MAX_DELAY_US}, as a journal commits at the Disruptor's
     * {@code endOfBatch}.
     */
    interface Writer extends Closeable
    {
        /**
         * Store one payload, with its body's id, part and count, or buffer it for the next {@link #flush()}.
         *
         * @param payload the payload; do not keep a reference past the call.
         * @throws IOException when the payload could not be stored or buffered.
         */
        void write(Payload payload) throws IOException;

        /**
         * Hand everything buffered to the store (for a file: to the OS, which a process crash does not lose).
         *
         * @throws IOException when the store refused the batch; those payloads are lost, and counted as such.
         */
        void flush() throws IOException;

        /**
         * Make everything flushed so far durable: it survives a crash of the machine, not only of the process
         * ({@code FileChannel.force}).
         *
         * @throws IOException when that cannot be promised; the payloads since the last force are then lost.
         */
        void force() throws IOException;

        /**
         * Release the writer; {@link #flush()} and {@link #force()} have been called just before.
         *
         * @throws IOException when releasing fails.
         */
        @Override
        void close() throws IOException;
    }
}
