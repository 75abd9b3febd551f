package dev.fulcrum.examples.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@link DirectoryPayloadSink} does to its directory before it appends again: make it hold whole bodies only.
 * <ol>
 *   <li>Scan every file, line by line. A file's records are valid up to its first line that is not a whole
 *       {@link PayloadRecord} (no newline, bad CRC, not a record): a torn tail, left by a crash in the middle of
 *       a write or of a force. Everything from there on was written after the file's last completed force, so
 *       none of it was acknowledged in durable mode.</li>
 *   <li>Count each body's parts over all files: a body's payloads may have gone to several workers, so several
 *       files. A body with fewer parts on disk than it has was never acknowledged (its 202 waits for the last
 *       part's force); its parts are dropped.</li>
 *   <li>Cut: a file with a torn tail and nothing to drop is truncated; a file with parts to drop is rewritten
 *       without them (to a temporary file, forced, renamed over the old one); then the directory is forced.</li>
 * </ol>
 * Memory: one map entry per body of more than one payload (bodies of one payload are whole when their line is).
 * Threading: runs once, on the thread that opens the sink, before any writer exists.
 */
public final class SinkRecovery
{
    static final String SUFFIX = ".ndjson";
    private static final String TEMP_SUFFIX = ".recovering";

    /**
     * What recovery found and changed.
     *
     * @param files           payload files scanned.
     * @param bodies          whole bodies kept.
     * @param payloads        payloads of those bodies.
     * @param droppedBodies   bodies found in part, and dropped.
     * @param droppedPayloads payloads of those bodies.
     * @param cutFiles        files whose tail was cut or that were rewritten.
     * @param cutBytes        bytes removed, torn tails and dropped records together.
     */
    public record Result(long files, long bodies, long payloads, long droppedBodies, long droppedPayloads,
        long cutFiles, long cutBytes)
    {
        /**
         * @return key=value pairs for a log line.
         */
        public String describe()
        {
            return "files=" + files + " bodies=" + bodies + " payloads=" + payloads + " droppedBodies=" +
                droppedBodies + " droppedPayloads=" + droppedPayloads + " cutFiles=" + cutFiles + " cutBytes=" +
                cutBytes;
        }
    }

    /** Per file: where its valid records end, and whether it holds parts of bodies of more than one payload. */
    private static final class FileScan
    {
        final Path file;
        long size;
        long validEnd;
        boolean hasMultiPart;

        FileScan(final Path file)
        {
            this.file = file;
        }
    }

    private SinkRecovery()
    {
    }

    /**
     * @param directory the sink's directory; it exists.
     * @return what was found and changed.
     * @throws IOException when the directory cannot be read or repaired.
     */
    public static Result recover(final Path directory) throws IOException
    {
        final List<Path> files;
        try (Stream<Path> list = Files.list(directory))
        {
            files = list.sorted().collect(Collectors.toList());
        }
        for (final Path file : files)
        {
            if (file.getFileName().toString().endsWith(TEMP_SUFFIX))
            {
                Files.delete(file); // a rewrite that did not finish: the original is still in place
            }
        }

        // 1. scan: valid prefix of each file, and the parts seen of each multi-part body
        final Map<String, int[]> multiPart = new HashMap<>(); // body id -> {parts seen, parts}
        final List<FileScan> scans = new ArrayList<>();
        long singleBodies = 0;
        for (final Path file : files)
        {
            if (!file.getFileName().toString().endsWith(SUFFIX))
            {
                continue;
            }
            final FileScan scan = new FileScan(file);
            scans.add(scan);
            final long[] single = {0};
            scan.validEnd = LineScanner.scan(file, (line, from, length, endOffset) ->
            {
                final PayloadRecord.Parsed record = PayloadRecord.parse(line, from, length);
                if (null == record)
                {
                    return false;
                }
                if (1 == record.parts())
                {
                    single[0]++;
                }
                else
                {
                    scan.hasMultiPart = true;
                    multiPart.computeIfAbsent(record.bodyId(), id -> new int[]{0, record.parts()})[0]++;
                }
                return true;
            });
            scan.size = Files.size(file);
            singleBodies += single[0];
        }

        // 2. which multi-part bodies are not all there
        final Set<String> incomplete = new HashSet<>();
        long bodies = singleBodies;
        long payloads = singleBodies;
        long droppedPayloads = 0;
        for (final Map.Entry<String, int[]> entry : multiPart.entrySet())
        {
            final int[] seenOf = entry.getValue();
            if (seenOf[0] == seenOf[1])
            {
                bodies++;
                payloads += seenOf[1];
            }
            else
            {
                incomplete.add(entry.getKey());
                droppedPayloads += seenOf[0];
            }
        }

        // 3. cut torn tails, rewrite files that hold parts of incomplete bodies
        long cutFiles = 0;
        long cutBytes = 0;
        for (final FileScan scan : scans)
        {
            final long before = scan.size;
            if (scan.hasMultiPart && !incomplete.isEmpty() && rewriteWithout(scan, incomplete))
            {
                cutFiles++;
                cutBytes += before - Files.size(scan.file);
            }
            else if (scan.validEnd < before)
            {
                try (FileChannel channel = FileChannel.open(scan.file, StandardOpenOption.WRITE))
                {
                    channel.truncate(scan.validEnd);
                    channel.force(true);
                }
                cutFiles++;
                cutBytes += before - scan.validEnd;
            }
        }
        if (cutFiles > 0)
        {
            forceDirectory(directory);
        }
        return new Result(scans.size(), bodies, payloads, incomplete.size(), droppedPayloads, cutFiles, cutBytes);
    }

    /**
     * Force a directory, so that the entries of files created or renamed in it survive a machine crash.
     *
     * @param directory to force.
     * @throws IOException when the OS refuses.
     */
    static void forceDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /**
     * @return true when the file held parts of incomplete bodies, and was rewritten without them (and without its
     *         torn tail); false when it had none (the file is then untouched).
     */
    private static boolean rewriteWithout(final FileScan scan, final Set<String> incomplete) throws IOException
    {
        final Path temp = scan.file.resolveSibling(scan.file.getFileName() + TEMP_SUFFIX);
        final boolean[] dropped = {false};
        try (OutputStream out = Files.newOutputStream(temp))
        {
            LineScanner.scan(scan.file, (line, from, length, endOffset) ->
            {
                if (endOffset > scan.validEnd)
                {
                    return false;
                }
                final PayloadRecord.Parsed record = PayloadRecord.parse(line, from, length);
                if (record.parts() > 1 && incomplete.contains(record.bodyId()))
                {
                    dropped[0] = true;
                }
                else
                {
                    try
                    {
                        out.write(line, from, length);
                        out.write('\n');
                    }
                    catch (final IOException ex)
                    {
                        throw new LineScanner.Failure(ex);
                    }
                }
                return true;
            });
        }
        if (!dropped[0])
        {
            Files.delete(temp);
            return false;
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
        Files.move(temp, scan.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /**
     * Reads a file line by line with one growing buffer, and tells where its lines end.
     */
    static final class LineScanner
    {
        /** Gets each line ending in {@code \n}; returns false to stop. */
        interface LineConsumer
        {
            boolean accept(byte[] line, int from, int length, long endOffset);
        }

        /** An I/O failure inside a consumer, unwrapped by {@link #scan}. */
        static final class Failure extends RuntimeException
        {
            private static final long serialVersionUID = 1L;

            Failure(final IOException cause)
            {
                super(cause);
            }
        }

        private LineScanner()
        {
        }

        /**
         * @return the file offset just past the last line accepted before the consumer said stop or the file
         *         ended (a last line without {@code \n} is never accepted).
         */
        static long scan(final Path file, final LineConsumer consumer) throws IOException
        {
            byte[] line = new byte[64 * 1024];
            final byte[] chunk = new byte[64 * 1024];
            int lineLength = 0;
            long offset = 0; // file offset of chunk[0]
            long accepted = 0;
            try (InputStream in = Files.newInputStream(file))
            {
                int n;
                while ((n = in.read(chunk)) > 0)
                {
                    int start = 0;
                    for (int i = 0; i < n; i++)
                    {
                        if ('\n' != chunk[i])
                        {
                            continue;
                        }
                        final long end = offset + i + 1;
                        final boolean ok;
                        if (0 == lineLength)
                        {
                            ok = consumer.accept(chunk, start, i - start, end);
                        }
                        else
                        {
                            line = append(line, lineLength, chunk, start, i - start);
                            ok = consumer.accept(line, 0, lineLength + i - start, end);
                            lineLength = 0;
                        }
                        if (!ok)
                        {
                            return accepted;
                        }
                        accepted = end;
                        start = i + 1;
                    }
                    if (start < n)
                    {
                        line = append(line, lineLength, chunk, start, n - start);
                        lineLength += n - start;
                    }
                    offset += n;
                }
            }
            catch (final Failure ex)
            {
                throw (IOException)ex.getCause();
            }
            return accepted;
        }

        private static byte[] append(final byte[] line, final int used, final byte[] from, final int at, final int n)
        {
            byte[] out = line;
            if (used + n > line.length)
            {
                out = java.util.Arrays.copyOf(line, Math.max(line.length * 2, used + n));
            }
            System.arraycopy(from, at, out, used, n);
            return out;
        }
    }
}
