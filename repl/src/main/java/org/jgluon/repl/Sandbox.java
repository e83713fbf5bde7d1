package org.jgluon.repl;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;
import org.jgluon.gluon.Kwargs;

/**
 * What a script may touch. By default: the public members of jgluon's API classes
 * ({@link ApiClasses}) and nothing else of the JVM — no class lookup ({@code Java.type}), no
 * threads, processes, native code or environment, and read access only to the files under the
 * script's directory (for {@code require}). {@code --allow-host-access} lifts all of it.
 */
final class Sandbox {

    private Sandbox() {}

    // built once per process: scanning the API's members is the costly part
    private static final Supplier<HostAccess> API_ONLY = memo(() -> hostAccess(apiOnly()));
    private static final Supplier<HostAccess> FULL = memo(() -> hostAccess(HostAccess.newBuilder(HostAccess.ALL)));

    private static <T> Supplier<T> memo(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }

    static Context.Builder contextBuilder(Path scriptRoot, boolean allowHostAccess) {
        Context.Builder b = Context.newBuilder("js")
                .allowExperimentalOptions(true)
                .option("js.commonjs-require", "true")
                .option("js.commonjs-require-cwd", scriptRoot.toAbsolutePath().toString());
        if (allowHostAccess) {
            return b.allowAllAccess(true)
                    .allowHostAccess(FULL.get())
                    .allowHostClassLookup(name -> true)
                    .allowIO(IOAccess.ALL);
        }
        return b.allowHostAccess(API_ONLY.get())
                .allowHostClassLookup(name -> false)
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowCreateThread(false)
                .allowCreateProcess(false)
                .allowNativeAccess(false)
                .allowEnvironmentAccess(EnvironmentAccess.NONE)
                .allowIO(IOAccess.newBuilder()
                        .fileSystem(FileSystem.newReadOnlyFileSystem(new ScriptTreeFileSystem(scriptRoot)))
                        .build());
    }

    /** Public members of the API classes, plus the prelude's bridge ({@code @HostAccess.Export}). */
    private static HostAccess.Builder apiOnly() {
        HostAccess.Builder b = HostAccess.newBuilder()
                .allowAccessAnnotatedBy(HostAccess.Export.class)
                .allowImplementationsAnnotatedBy(HostAccess.Implementable.class)
                .allowImplementationsAnnotatedBy(FunctionalInterface.class)
                .allowAccessInheritance(true)
                .allowArrayAccess(true)
                .allowListAccess(true)
                .allowMapAccess(true)
                .allowIterableAccess(true)
                .allowIteratorAccess(true)
                .allowBufferAccess(true);
        for (Class<?> c : ApiClasses.all()) {
            try {
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                        b.allowAccess(m);
                    }
                }
                for (Constructor<?> k : c.getConstructors()) {
                    b.allowAccess(k);
                }
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isPublic(f.getModifiers())) {
                        b.allowAccess(f);
                    }
                }
                if (c.isInterface()) {
                    // a JS function or object may stand in for an API interface (a transform, an initializer)
                    b.allowImplementations(c);
                }
            } catch (LinkageError e) {
                // a class whose members do not resolve is no API; skip it
            }
        }
        return b;
    }

    /** Options objects → {@code Kwargs} wherever a Java parameter asks for one; JS numbers and strings for float and Path. */
    private static HostAccess hostAccess(HostAccess.Builder b) {
        // JS numbers are doubles; the API takes float (learning rates, dropout rates, scalars)
        b.targetTypeMapping(Double.class, Float.class, null, Double::floatValue, HostAccess.TargetMappingPrecedence.LOW);
        // file names as JS strings: save_parameters('net.params'); a String overload wins
        b.targetTypeMapping(String.class, Path.class, null, Path::of, HostAccess.TargetMappingPrecedence.LOWEST);
        b.targetTypeMapping(Value.class, Kwargs.class, JsValues::isOptionsObject, v -> Kwargs.of(JsValues.toMap(v)));
        return b.build();
    }
}
