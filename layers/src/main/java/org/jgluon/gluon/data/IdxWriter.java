package org.jgluon.gluon.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX files (raw, or gzipped when the name ends in {@code .gz}) through a temporary file
 * renamed into place, so a crash never leaves half a file under the final name.
 */
public final class IdxWriter {

    private IdxWriter() {}

    public static void write(Path file, IdxFile idx) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 OutputStream out = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw) {
                out.write(header(idx));
                out.write(idx.data());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("IdxWriter: cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary name never shadows the real file
                }
            }
        }
    }

    /** The magic and dimension words of {@code idx}. */
    public static byte[] header(IdxFile idx) {
        int[] dims = idx.dims();
        byte[] h = new byte[4 + 4 * dims.length];
        h[2] = (byte) idx.type();
        h[3] = (byte) dims.length;
        for (int i = 0; i < dims.length; i++) {
            int d = dims[i];
            h[4 + 4 * i] = (byte) (d >>> 24);
            h[5 + 4 * i] = (byte) (d >>> 16);
            h[6 + 4 * i] = (byte) (d >>> 8);
            h[7 + 4 * i] = (byte) d;
        }
        return h;
    }
}
