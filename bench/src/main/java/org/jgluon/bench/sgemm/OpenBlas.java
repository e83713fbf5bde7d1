package org.jgluon.bench.sgemm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The system OpenBLAS ({@code libopenblas.so.0}, Debian's {@code libopenblas0-pthread}) through the
 * Foreign Function & Memory API: {@code cblas_sgemm} on Java float arrays (passed as heap segments
 * to a critical downcall, no copies) and its thread and core-type controls.
 *
 * <p>The peer is measured at its best. OpenBLAS picks its kernels when the library is loaded,
 * from {@code OPENBLAS_CORETYPE} or else the CPU; this machine's environment presets
 * {@code OPENBLAS_CORETYPE=Haswell} and {@code OPENBLAS_L2_SIZE}, which select the AVX2 kernels
 * (about half the speed). So before loading it, this class removes both from the process
 * environment with libc's {@code unsetenv} (the JVM itself does not read them), and OpenBLAS
 * then detects the AVX-512 kernels on its own. {@code -Djgluon.openblas.keepEnv=true} keeps the
 * environment as it is, to reproduce the default configuration.
 */
public final class OpenBlas {

    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    static final List<String> CANDIDATES = List.of(
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib64/libopenblas.so.0",
            "/usr/lib/libopenblas.so.0");

    private final MethodHandle sgemm;
    private final MethodHandle setThreads;
    private final String coreName;
    private final String path;

    private static OpenBlas instance;
    private static String absentReason;

    private OpenBlas(String path, SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        this.path = path;
        ValueLayout.OfInt i32 = ValueLayout.JAVA_INT;
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT;
        sgemm = linker.downcallHandle(lib.findOrThrow("cblas_sgemm"),
                FunctionDescriptor.ofVoid(i32, i32, i32, i32, i32, i32, f32, ValueLayout.ADDRESS, i32,
                        ValueLayout.ADDRESS, i32, f32, ValueLayout.ADDRESS, i32),
                Linker.Option.critical(true));
        setThreads = linker.downcallHandle(lib.findOrThrow("openblas_set_num_threads"), FunctionDescriptor.ofVoid(i32));
        MethodHandle corename = linker.downcallHandle(lib.findOrThrow("openblas_get_corename"),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        MemorySegment name = (MemorySegment) corename.invokeExact();
        coreName = name.reinterpret(64).getString(0);
    }

    /** The loaded library, or empty (see {@link #absentReason()}) when it is not installed. */
    public static synchronized Optional<OpenBlas> load() {
        if (instance != null || absentReason != null) return Optional.ofNullable(instance);
        String found = CANDIDATES.stream().filter(p -> Files.isReadable(Path.of(p))).findFirst().orElse(null);
        if (found == null) {
            absentReason = "OpenBLAS (libopenblas.so.0) is not installed (apt-get install libopenblas0-pthread); looked in "
                    + String.join(", ", CANDIDATES);
            return Optional.empty();
        }
        try {
            if (!Boolean.getBoolean("jgluon.openblas.keepEnv")) {
                unsetenv("OPENBLAS_CORETYPE");
                unsetenv("OPENBLAS_L2_SIZE");
            }
            instance = new OpenBlas(found, SymbolLookup.libraryLookup(Path.of(found), Arena.global()));
        } catch (Throwable t) {
            absentReason = "OpenBLAS at " + found + " could not be loaded: " + t;
        }
        return Optional.ofNullable(instance);
    }

    /** Why {@link #load()} found no library (null when it did). */
    public static synchronized String absentReason() {
        load();
        return absentReason;
    }

    private static void unsetenv(String name) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle unsetenv = linker.downcallHandle(linker.defaultLookup().findOrThrow("unsetenv"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) unsetenv.invokeExact(arena.allocateFrom(name));
            if (rc != 0) throw new IllegalStateException("unsetenv(" + name + ") failed");
        }
    }

    /** The kernel family OpenBLAS chose ("Cooperlake", "SkylakeX", "Haswell", ...). */
    public String coreName() {
        return coreName;
    }

    public String path() {
        return path;
    }

    public void setThreads(int n) {
        try {
            setThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code cblas_sgemm} in row-major order, with the argument order of jgluon's {@code Sgemm.sgemm}. */
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        MemorySegment sa = MemorySegment.ofArray(a).asSlice(4L * aOff);
        MemorySegment sb = MemorySegment.ofArray(b).asSlice(4L * bOff);
        MemorySegment sc = MemorySegment.ofArray(c).asSlice(4L * cOff);
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, sa, lda, sb, ldb, beta, sc, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
