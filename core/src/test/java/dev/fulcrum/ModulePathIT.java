package dev.fulcrum;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The built jar as a user gets it: a small consumer module ({@code requires dev.fulcrum}) is compiled with
 * javax.tools against the packaged core jar and its dependency jars, then run in a child JVM on the module path,
 * with the JVM that runs this test. No {@code --add-*} flag anywhere.
 * <p>
 * Also proves the core is free of {@code sun.misc.Unsafe}: the child JVM logs every class it loads, and none of
 * JCTools' Unsafe-based classes may be among them; on a JDK that has {@code --sun-misc-unsafe-memory-access}
 * (23 and later) the child runs with it set to {@code deny}, and must print nothing on stderr.
 * <p>
 * Runs after {@code package} (failsafe): the jar and the module path come from the build
 * ({@code fulcrum.it.jar}, {@code fulcrum.it.modulePath}, {@code fulcrum.it.pinningPath}).
 */
class ModulePathIT
{
    private static final String CONSUMER_MODULE = String.join("\n",
        "module demo.consumer",
        "{",
        "    requires dev.fulcrum;",
        "}");

    /** Uses Agrona types through the API (IdleStrategy, ErrorHandler) with no requires of its own on Agrona. */
    private static final String CONSUMER_MAIN = String.join("\n",
        "package demo.consumer;",
        "",
        "import dev.fulcrum.Balancer;",
        "import dev.fulcrum.BalancerBuilder;",
        "import dev.fulcrum.LatencySnapshot;",
        "import dev.fulcrum.Policy;",
        "import dev.fulcrum.ThreadingMode;",
        "import dev.fulcrum.stat.CountersFile;",
        "import org.agrona.ErrorHandler;",
        "import org.agrona.concurrent.BackoffIdleStrategy;",
        "",
        "public final class Main",
        "{",
        "    public static void main(final String[] args) throws Exception",
        "    {",
        "        final boolean pin = args.length > 0 && \"pin\".equals(args[0]);",
        "        final boolean jfr = args.length > 0 && \"jfr\".equals(args[0]);",
        "        final ErrorHandler errors = Throwable::printStackTrace;",
        "        final BalancerBuilder<String, Integer> builder = Balancer.builder(String::length)",
        "            .workers(1)",
        "            .threadingMode(ThreadingMode.SHARED)",
        "            .policy(Policy.leastLoaded())",
        "            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))",
        "            .errorHandler(errors);",
        "        if (pin)",
        "        {",
        "            builder.pinCpus(Runtime.getRuntime().availableProcessors() - 1);",
        "        }",
        "        builder.latencyHistograms(jfr);",
        "        final boolean counters = args.length > 1 && \"counters\".equals(args[0]);",
        "        if (counters)",
        "        {",
        "            builder.countersDirectory(java.nio.file.Path.of(args[1]));",
        "        }",
        "        int sum = 0;",
        "        boolean latency = false;",
        "        try (Balancer<String, Integer> balancer = builder.build())",
        "        {",
        "            for (final String word : new String[]{\"ring\", \"heap\", \"balancer\"})",
        "            {",
        "                sum += balancer.submit(word).get();",
        "            }",
        "            latency = balancer.stats().latencyHistograms();",
        "            if (latency)",
        "            {",
        "                final LatencySnapshot waits = balancer.stats().waitHistogram(0);",
        "                latency = waits.count() >= 0 && waits.buckets() >= 0;",
        "            }",
        "        }",
        "        String counted = \"\";",
        "        if (counters)",
        "        {",
        "            final java.nio.file.Path dir = java.nio.file.Path.of(args[1]);",
        "            final CountersFile file = CountersFile.open(CountersFile.list(dir).get(0));",
        "            counted = \" \" + file.status() + \" \" + file.label(0) + \"=\" + file.value(0);",
        "        }",
        "        System.out.println(\"module=\" + Balancer.class.getModule().getName() + \" sum=\" + sum +",
        "            (jfr ? \" latency=\" + latency : \"\") + counted);",
        "    }",
        "}");

    @TempDir
    static Path dir;

    private static Path classes;
    private static String modulePath;
    private static Path coreJar;
    private static String dependencies;

    @BeforeAll
    static void compileConsumer() throws IOException
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(null != javac, "skipped: this JVM has no javax.tools compiler (a JRE, not a JDK)");
        final String jar = System.getProperty("fulcrum.it.jar");
        final String deps = System.getProperty("fulcrum.it.modulePath");
        assumeTrue(null != jar && null != deps,
            "skipped: run by failsafe after package, which sets fulcrum.it.jar and fulcrum.it.modulePath");
        assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged core jar: " + jar);
        modulePath = jar + File.pathSeparator + deps;
        coreJar = Path.of(jar);
        dependencies = deps;

        final Path src = Files.createDirectories(dir.resolve("src/demo/consumer"));
        Files.writeString(dir.resolve("src/module-info.java"), CONSUMER_MODULE);
        Files.writeString(src.resolve("Main.java"), CONSUMER_MAIN);
        classes = Files.createDirectories(dir.resolve("classes"));

        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int rc = javac.run(null, diagnostics, diagnostics,
            "-Xlint:all", "-Werror", "--release", "17",
            "--module-path", modulePath,
            "-d", classes.toString(),
            dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());
        final String messages = diagnostics.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, "the consumer compiles against the module with no warning:\n" + messages);
        assertEquals("", messages.trim(), "javac said something");
    }

    @Test
    @Timeout(120)
    void shouldRunAConsumerOnTheModulePathWithNoFlags() throws Exception
    {
        final Child child = run(List.of(), modulePath);

        assertEquals(0, child.exitCode, child.toString());
        assertEquals("module=dev.fulcrum sum=16", child.stdout.trim(), child.toString());
        assertEquals("", child.stderr.trim(), child.toString());
    }

    @Test
    @Timeout(120)
    void shouldNeverLoadJctoolsUnsafeClassesAndStayQuietWhenUnsafeIsDenied() throws Exception
    {
        final Path classLog = dir.resolve("classes-loaded.txt");
        final List<String> flags = new ArrayList<>();
        flags.add("-Xlog:class+load=info:file=" + classLog);
        final boolean canDeny = Runtime.version().feature() >= 23;
        if (canDeny)
        {
            flags.add("--sun-misc-unsafe-memory-access=deny");
        }
        else
        {
            System.out.println("ModulePathIT: JDK " + Runtime.version().feature() +
                " has no --sun-misc-unsafe-memory-access; checking the loaded classes only");
        }

        final Child child = run(flags, modulePath);

        assertEquals(0, child.exitCode, child.toString());
        assertEquals("module=dev.fulcrum sum=16", child.stdout.trim(), child.toString());
        assertEquals("", child.stderr.trim(), "no warning, with unsafe denied=" + canDeny + ": " + child);

        final List<String> jctools = Files.readAllLines(classLog).stream()
            .filter(line -> line.contains(" org.jctools."))
            .map(line -> line.replaceAll(".* (org\\.jctools\\.\\S+).*", "$1"))
            .collect(Collectors.toList());
        assertTrue(jctools.contains("org.jctools.queues.varhandle.SpscVarHandleArrayQueue"),
            "the class log is read right: " + jctools);
        assertTrue(jctools.contains("org.jctools.queues.varhandle.MpscVarHandleArrayQueue"), jctools::toString);
        for (final String name : jctools)
        {
            assertFalse(name.startsWith("org.jctools.util.Unsafe"), () -> "loaded " + name + ": " + jctools);
            assertFalse(name.matches("org\\.jctools\\.queues\\.[A-Za-z]*ArrayQueue.*"),
                () -> "loaded an Unsafe-based queue " + name + ": " + jctools);
        }
    }

    /**
     * The counters file on the module path, written and read back (through the exported {@code dev.fulcrum.stat}),
     * with no flag: the VarHandles on the mapped file need none, unlike Agrona 2's buffers.
     */
    @Test
    @Timeout(120)
    void shouldWriteAndReadACountersFileWithNoFlags() throws Exception
    {
        final List<String> flags = new ArrayList<>();
        if (Runtime.version().feature() >= 23)
        {
            flags.add("--sun-misc-unsafe-memory-access=deny");
        }
        final Path counters = Files.createDirectories(dir.resolve("counters"));
        final Child child = run(flags, modulePath, "counters", counters.toString());

        assertEquals(0, child.exitCode, child.toString());
        assertEquals("module=dev.fulcrum sum=16 CLOSED dispatched=3", child.stdout.trim(), child.toString());
        assertEquals("", child.stderr.trim(), child.toString());
    }

    /**
     * The module as it is published: what Maven warns of as "filename-based automodules" must not be there. Every
     * module the built jar requires is in the JDK, or on the module path with a name its jar declares (a
     * module-info, or {@code Automatic-Module-Name} in its manifest), never one derived from the jar's file name,
     * which a user's build could rename. The latency histograms are the core's own: no HdrHistogram is required
     * or on the module path it brings.
     */
    @Test
    @Timeout(120)
    void shouldRequireOnlyModulesWhoseNamesTheirJarsDeclare() throws IOException
    {
        final ModuleDescriptor core = single(ModuleFinder.of(coreJar)).descriptor();
        assertEquals("dev.fulcrum", core.name());
        assertFalse(core.isAutomatic(), "the core declares its module");

        final List<Path> jars = Arrays.stream(dependencies.split(File.pathSeparator))
            .filter(entry -> !entry.isEmpty())
            .map(Path::of)
            .collect(Collectors.toList());
        for (final Path jar : jars)
        {
            assertFalse(jar.getFileName().toString().toLowerCase(Locale.ROOT).contains("hdrhistogram"),
                () -> "the core brings no histogram library: " + jar);
        }
        final ModuleFinder onPath = ModuleFinder.of(jars.toArray(new Path[0]));
        final List<String> checked = new ArrayList<>();
        for (final ModuleDescriptor.Requires requires : core.requires())
        {
            final String name = requires.name();
            if (ModuleFinder.ofSystem().find(name).isPresent())
            {
                continue; // java.base, jdk.jfr
            }
            final ModuleReference found = onPath.find(name)
                .orElseThrow(() -> new AssertionError("dev.fulcrum requires " + name + ", not on " + jars));
            if (found.descriptor().isAutomatic())
            {
                final Path jar = Path.of(found.location().orElseThrow());
                try (JarFile file = new JarFile(jar.toFile()))
                {
                    final Manifest manifest = file.getManifest();
                    final String declared = null == manifest ? null :
                        manifest.getMainAttributes().getValue("Automatic-Module-Name");
                    assertEquals(name, declared, () -> "dev.fulcrum requires " + name +
                        ", an automatic module named after its file " + jar.getFileName() + ", not by its manifest");
                }
            }
            checked.add(name);
        }
        assertTrue(checked.contains("org.agrona"), () -> "the library modules were checked: " + checked);
        assertTrue(checked.contains("com.lmax.disruptor"), checked::toString);
    }

    private static ModuleReference single(final ModuleFinder finder)
    {
        final List<ModuleReference> all = new ArrayList<>(finder.findAll());
        assertEquals(1, all.size(), all::toString);
        return all.get(0);
    }

    /**
     * The latency histograms (the core's own, with {@link dev.fulcrum.LatencySnapshot} exported) and the Flight
     * Recorder events (event classes in a named module) work on the module path: the consumer takes a snapshot and
     * runs with a recording started from the command line, and the recording it leaves holds the engine's close
     * event.
     */
    @Test
    @Timeout(120)
    void shouldRecordTheEnginesFlightRecorderEventsWithLatencyHistogramsOn() throws Exception
    {
        final Path recording = dir.resolve("consumer.jfr");
        final Child child = run(List.of("-XX:StartFlightRecording=dumponexit=true,filename=" + recording),
            modulePath, "jfr");

        assertEquals(0, child.exitCode, child.toString());
        assertTrue(child.stdout.contains("module=dev.fulcrum sum=16 latency=true"), child.toString());
        assertEquals("", child.stderr.trim(), child.toString());
        final List<RecordedEvent> closes = RecordingFile.readAllEvents(recording).stream()
            .filter(e -> "dev.fulcrum.Close".equals(e.getEventType().getName()))
            .collect(Collectors.toList());
        assertEquals(1, closes.size(), closes::toString);
        assertEquals("close()", closes.get(0).getString("call"));
        assertTrue(closes.get(0).getBoolean("drained"));
    }

    /**
     * Fulcrum on the module path, the optional pinning jars (affinity, JNA, SLF4J) on the class path: no
     * {@code --add-*} flag, because Pinning reaches affinity by reflection, which needs no readability edge.
     */
    @Test
    @Timeout(120)
    void shouldPinOrSayWhyNotWhenAffinityIsOnTheClassPath() throws Exception
    {
        final String pinning = pinningPath();
        final List<String> flags = new ArrayList<>();
        if (Runtime.version().feature() >= 22)
        {
            flags.add("--enable-native-access=ALL-UNNAMED"); // JNA, on JDK 22 and later: else a warning
        }
        flags.add("--class-path");
        flags.add(pinning);

        assertPinnedOrToldWhy(run(flags, modulePath, "pin"));
    }

    /**
     * Everything on the module path: affinity and JNA are automatic modules, resolved with Agrona (resolving one
     * automatic module resolves them all), but SLF4J 2 is an explicit module that nothing requires, so it takes
     * {@code --add-modules org.slf4j}, the one flag pinning needs there.
     */
    @Test
    @Timeout(120)
    void shouldPinOrSayWhyNotWhenAffinityIsOnTheModulePath() throws Exception
    {
        final String pinning = pinningPath();
        final List<String> flags = new ArrayList<>();
        flags.add("--add-modules=org.slf4j");
        if (Runtime.version().feature() >= 22)
        {
            flags.add("--enable-native-access=com.sun.jna"); // JNA's module, on JDK 22 and later: else a warning
        }

        assertPinnedOrToldWhy(run(flags, modulePath + File.pathSeparator + pinning, "pin"));
    }

    private static String pinningPath()
    {
        final String pinning = System.getProperty("fulcrum.it.pinningPath");
        assumeTrue(null != pinning && !pinning.isEmpty(),
            "skipped: fulcrum.it.pinningPath (the affinity jar, JNA and SLF4J) is not set");
        return pinning;
    }

    private static void assertPinnedOrToldWhy(final Child child)
    {
        assertEquals(0, child.exitCode, child.toString());
        assertEquals("module=dev.fulcrum sum=16", child.stdout.trim(), child.toString());
        // pinned: nothing on stderr. Not pinned (no rights, no such CPU in a container): the engine says why, and
        // that must not be because the library or one of its dependencies was out of reach.
        assertFalse(child.stderr.contains("not found"), child.toString());
        assertFalse(child.stderr.contains("IllegalAccess"), child.toString());
        assertFalse(child.stderr.contains("NoClassDefFoundError"), child.toString());
        assertFalse(child.stderr.contains("WARNING: A restricted method"), child.toString());
    }

    private static Child run(final List<String> flags, final String path, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("--module-path");
        command.add(classes + File.pathSeparator + path);
        command.add("--module");
        command.add("demo.consumer/demo.consumer.Main");
        command.addAll(Arrays.asList(args));

        final Path out = dir.resolve("stdout.txt");
        final Path err = dir.resolve("stderr.txt");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        if (!process.waitFor(100, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("the consumer did not finish within 100 s: " + command);
        }
        return new Child(command, process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static final class Child
    {
        final List<String> command;
        final int exitCode;
        final String stdout;
        final String stderr;

        Child(final List<String> command, final int exitCode, final String stdout, final String stderr)
        {
            this.command = command;
            this.exitCode = exitCode;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString()
        {
            return "\ncommand: " + String.join(" ", command) + "\nexit: " + exitCode + "\nstdout: " + stdout +
                "\nstderr: " + stderr;
        }
    }
}
