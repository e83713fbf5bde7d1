package org.jgluon.repl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * One JavaScript context with the Gluon API: the sandbox ({@link Sandbox}), the prelude
 * ({@code jgluon/prelude/*.js}) and the extra {@link Globals}. A script run and a REPL session each
 * own one; the REPL keeps it across statements and interrupts it on Ctrl-C without losing it.
 */
final class JsSession implements AutoCloseable {

    static final String PRELUDE_NAME = "jgluon-prelude";

    /**
     * One engine per process and sandbox setting (an engine's contexts must share one host-access
     * policy): contexts made from it share parsed code (the prelude, the JS built-ins).
     */
    private static final Engine[] ENGINES = new Engine[2];

    private final Context context;
    private final Value show;
    private final Value members;

    /** Settings for a session. {@code root}: the directory whose files {@code require} may read. */
    record Settings(Path root, boolean allowHostAccess, String program, List<String> argv,
                    InputStream in, OutputStream out, OutputStream err) {}

    JsSession(Settings s) {
        Context.Builder b = Sandbox.contextBuilder(s.root(), s.allowHostAccess())
                .engine(engine(s.allowHostAccess()))
                .in(s.in()).out(s.out()).err(s.err());
        this.context = b.build();
        Bridge bridge = new Bridge(s.program(), s.argv(), Globals.create());
        Value internals = context.eval(Source.create("js", "({})"));
        for (Source part : PRELUDE) context.eval(part).execute(bridge, internals);
        Value api = context.getBindings("js").getMember("__jgluon");
        this.show = api.getMember("show");
        this.members = api.getMember("members");
    }

    private static synchronized Engine engine(boolean allowHostAccess) {
        int i = allowHostAccess ? 1 : 0;
        if (ENGINES[i] == null) {
            ENGINES[i] = Engine.newBuilder("js")
                    .option("engine.WarnInterpreterOnly", "false")
                    .build();
        }
        return ENGINES[i];
    }

    /** The prelude's parts, parsed once per JVM (contexts of one engine share the parsed code). */
    private static final List<Source> PRELUDE = List.of(preludePart("host"), preludePart("ndarray"), preludePart("globals"));

    private static Source preludePart(String part) {
        String resource = "/jgluon/prelude/" + part + ".js";
        try (InputStream in = JsSession.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource.substring(1) + " is missing from the class path");
            }
            String code = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Source.newBuilder("js", code, PRELUDE_NAME + "/" + part + ".js").internal(true).buildLiteral();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Context context() {
        return context;
    }

    /** Runs a script file; {@code shownName} is the path as the user wrote it (for messages). */
    Value evalFile(Path file) throws IOException {
        String name = file.toString();
        boolean module = name.endsWith(".mjs");
        Source src = Source.newBuilder("js", file.toFile())
                .mimeType(module ? "application/javascript+module" : "application/javascript")
                .build();
        return context.eval(src);
    }

    Value eval(String code, String name) {
        return context.eval(Source.newBuilder("js", code, name).buildLiteral());
    }

    /** Parses without running; throws a PolyglotException (incomplete or invalid source). */
    void parse(String code, String name) {
        context.parse(Source.newBuilder("js", code, name).buildLiteral());
    }

    /** The REPL's text for a value: null for undefined (nothing printed). */
    String show(Value v) {
        Value s = show.execute(v);
        return s.isNull() ? null : s.asString();
    }

    /** Completion candidates after {@code expr.}: the members a user may call. */
    List<String> members(Value v) {
        Value m = members.execute(v);
        List<String> out = new ArrayList<>();
        for (long i = 0; i < m.getArraySize(); i++) {
            out.add(m.getArrayElement(i).asString());
        }
        return out;
    }

    /** The global names (for completion). */
    List<String> globals() {
        Value names = context.eval("js", "Object.getOwnPropertyNames(globalThis)");
        List<String> out = new ArrayList<>();
        for (long i = 0; i < names.getArraySize(); i++) {
            String n = names.getArrayElement(i).asString();
            if (!n.startsWith("__")) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Stops the statement running on another thread (Ctrl-C). The context stays usable. Returns
     * false if it did not stop within the timeout (a long Java call still running).
     */
    boolean interrupt(Duration timeout) {
        try {
            context.interrupt(timeout);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() {
        context.close(true);
    }
}
