package dev.fulcrum.examples.ingest;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where accepted payloads end up: a local directory by default ({@link DirectoryPayloadSink}); an object-store client
 * (Castilho's S3 upload) would implement the same two methods.
 * <p>
 * Threading: each balancer worker thread opens one {@link Writer} of its own, the first time it needs one, and is
 * the only thread that uses it until the server has stopped its workers; then the server's closing thread flushes
 * and closes every writer, and last closes the sink. {@link #openWriter(String)} may therefore be called from several
 * worker threads at once.
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
     * Release whatever the sink holds; called once, after every writer has been closed.
     *
     * @throws IOException when releasing fails.
     */
    @Override
    void close() throws IOException;

    /**
     * One worker's stream of payloads into the store. Single-threaded: see {@link PayloadSink}.
     */
    interface Writer extends Closeable
    {
        /**
         * Store one payload, or buffer it for the next {@link #flush()}; called once per accepted payload.
         *
         * @param bytes  holds the payload: a complete JSON object, in UTF-8. Do not keep a reference past the call.
         * @param offset where the payload starts.
         * @param length how many bytes it has.
         * @throws IOException when the payload could not be stored or buffered.
         */
        void write(byte[] bytes, int offset, int length) throws IOException;

        /**
         * Hand everything buffered to the store. Called by the worker thread once its oldest unflushed payload is
         * {@code FLUSH_DELAY_US} old, and before {@link #close()}: one store operation per batch rather than per
         * payload, as a journal flushes at the Disruptor's {@code endOfBatch}.
         *
         * @throws IOException when the store refused the batch; those payloads are lost, and counted as such.
         */
        void flush() throws IOException;

        /**
         * Release the writer; {@link #flush()} has been called just before when anything was unflushed.
         *
         * @throws IOException when releasing fails.
         */
        @Override
        void close() throws IOException;
    }
}
