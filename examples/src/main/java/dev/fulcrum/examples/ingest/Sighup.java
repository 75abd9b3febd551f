package dev.fulcrum.examples.ingest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * SIGHUP, the Unix "read your settings again", where the JVM offers it: through {@code sun.misc.Signal} of the
 * {@code jdk.unsupported} module, looked up reflectively so that the build needs no internal API (javac warns about
 * every use, and its warning cannot be suppressed) and a JVM without it is only a JVM without SIGHUP.
 * <p>
 * Once installed, SIGHUP no longer stops the JVM (its default): it only calls the action. The JVM refuses the
 * signal when run with {@code -Xrs}, and on Windows, which has no SIGHUP; then nothing is installed. A JVM started
 * with SIGHUP ignored (under {@code nohup}, or from a shell that ran {@code trap '' HUP}) keeps it ignored: the
 * JVM accepts the handler without installing it and answers that the old one was {@code SIG_IGN}, so that is
 * reported as not available too.
 */
final class Sighup
{
    private Sighup()
    {
    }

    /**
     * Read the settings file at each SIGHUP, or say in one log line why SIGHUP is not available.
     *
     * @param reload starts a reading of the settings file and returns at once.
     * @param config the server's settings, with a settings file.
     * @return how the file is read: {@code poll+sighup}, or {@code poll} only.
     */
    static String reloadOn(final Runnable reload, final IngestConfig config)
    {
        final String why = install(reload);
        if (null == why)
        {
            return "poll+sighup";
        }
        System.getLogger(Sighup.class.getName()).log(System.Logger.Level.INFO, "ingest: SIGHUP is not available (" +
            why + "); the settings file is read every " + config.settingsPollMs() + " ms only: file=" +
            config.settingsFile());
        return "poll";
    }

    /**
     * @param action run on the JVM's signal thread at each SIGHUP; it must return quickly and not throw.
     * @return null when installed; else why not, for one log line.
     */
    static String install(final Runnable action)
    {
        try
        {
            final Class<?> signalType = Class.forName("sun.misc.Signal");
            final Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalType.getConstructor(String.class).newInstance("HUP");
            final Object handler = Proxy.newProxyInstance(Sighup.class.getClassLoader(), new Class<?>[] {handlerType},
                (proxy, method, args) -> invoke(action, proxy, method, args));
            final Object old = signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
            if (old == handlerType.getField("SIG_IGN").get(null))
            {
                return "ignored by the process that started this JVM, as under nohup, so it stays ignored";
            }
            return null;
        }
        catch (final InvocationTargetException ex)
        {
            return String.valueOf(ex.getCause()); // "Signal already used by VM or OS: SIGHUP" (-Xrs), or unknown
        }
        catch (final ReflectiveOperationException | LinkageError | RuntimeException ex)
        {
            return ex.toString();
        }
    }

    private static Object invoke(final Runnable action, final Object proxy, final Method method, final Object[] args)
    {
        switch (method.getName())
        {
            case "handle":
                action.run();
                return null;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            default:
                return "ingest SIGHUP handler";
        }
    }
}
