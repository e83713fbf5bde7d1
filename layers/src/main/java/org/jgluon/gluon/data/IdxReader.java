package org.jgluon.gluon.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.jgluon.engine.Shapes;

/**
 * Reads IDX files, gzip-compressed or raw (told apart by the gzip magic {@code 1f 8b}).
 *
 * <p>Every header field is checked against the file before anything is allocated: a corrupt,
 * truncated or foreign file gives an {@link IllegalArgumentException} naming the file and the
 * problem, never an OutOfMemoryError or an index exception. For a raw file the data must fill
 * the file exactly; for a gzip file the claimed size must be reachable from the compressed size
 * (deflate expands at most about 1032:1) and the stream must end exactly after the data.
 */
public final class IdxReader {

    /** Deflate's best case is about 1032:1; anything claiming more than this is not a real file. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    /** IDX allows 255 dimensions; no real file has more than a handful. */
    private static final int MAX_NDIM = 16;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private IdxReader() {}

    /** Reads {@code file}. Missing or unreadable files give an IllegalArgumentException too. */
    public static IdxFile read(Path file) {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("IdxReader: " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("IdxReader: " + file + ": cannot read (" + e + ")", e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(raw, fileSize, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("IdxReader: " + file + ": cannot read (" + e + ")", e);
        }
    }

    /** Reads an IDX file held in memory; {@code name} is used in messages. */
    public static IdxFile read(byte[] bytes, String name) {
        try {
            return read(new ByteArrayInputStream(bytes), bytes.length, name);
        } catch (IOException e) {
            throw new IllegalStateException("unreachable: a byte array does not fail to read", e);
        }
    }

    /** {@code in} must support mark/reset; failures to decode become IllegalArgumentExceptions. */
    private static IdxFile read(InputStream in, long size, String name) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1F || b1 != 0x8B) return parse(in, name, size, false);
        try (InputStream gz = new GZIPInputStream(in, 1 << 16)) {
            return parse(gz, name, size, true);
        } catch (EOFException e) {
            throw new IllegalArgumentException("IdxReader: " + name + ": truncated gzip stream (" + e.getMessage()
                    + "); the file is incomplete — download or copy it again", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("IdxReader: " + name + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static IdxFile parse(InputStream in, String name, long fileSize, boolean gzip) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new IllegalArgumentException("IdxReader: " + name + ": only " + magic.length
                    + " bytes, too short for the 4-byte IDX magic");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IllegalArgumentException(String.format(
                    "IdxReader: %s: not an IDX file (magic %02x %02x %02x %02x, want 00 00 <type> <ndim>)",
                    name, magic[0] & 0xFF, magic[1] & 0xFF, magic[2] & 0xFF, magic[3] & 0xFF));
        }
        int type = magic[2] & 0xFF;
        int ndim = magic[3] & 0xFF;
        int elementSize = IdxFile.elementSize(type);
        if (elementSize < 0) {
            throw new IllegalArgumentException(String.format(
                    "IdxReader: %s: unknown IDX element type 0x%02X (want 08 ubyte, 09 byte, 0B short, 0C int, 0D float, 0E double)",
                    name, type));
        }
        if (ndim < 1 || ndim > MAX_NDIM) {
            throw new IllegalArgumentException("IdxReader: " + name + ": header claims " + ndim
                    + " dimensions (want 1.." + MAX_NDIM + ")");
        }
        byte[] header = in.readNBytes(4 * ndim);
        if (header.length < 4 * ndim) {
            throw new IllegalArgumentException("IdxReader: " + name + ": truncated header: " + ndim
                    + " dimensions need " + 4 * ndim + " bytes after the magic, found " + header.length);
        }
        int[] dims = new int[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++) {
            int b = 4 * i;
            dims[i] = ((header[b] & 0xFF) << 24) | ((header[b + 1] & 0xFF) << 16)
                    | ((header[b + 2] & 0xFF) << 8) | (header[b + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new IllegalArgumentException("IdxReader: " + name + ": negative extent " + dims[i]
                        + " in dimension " + i + " of the header");
            }
            count *= dims[i];
            if (count * elementSize > MAX_ARRAY) {
                throw new IllegalArgumentException("IdxReader: " + name + ": header dims " + partial(dims, i)
                        + " describe more than 2 GB of data; the header is corrupt");
            }
        }
        long dataBytes = count * elementSize;
        long headerBytes = 4 + 4L * ndim;
        if (!gzip && headerBytes + dataBytes != fileSize) {
            String what = headerBytes + dataBytes > fileSize ? "truncated" : "has trailing bytes";
            throw new IllegalArgumentException("IdxReader: " + name + ": " + what + ": the header says "
                    + Shapes.str(dims) + " " + IdxFile.typeName(type) + " = " + dataBytes
                    + " data bytes, so the file should be " + (headerBytes + dataBytes) + " bytes, but it is " + fileSize);
        }
        if (gzip && dataBytes > fileSize * MAX_DEFLATE_RATIO + 4096) {
            throw new IllegalArgumentException("IdxReader: " + name + ": the header says " + Shapes.str(dims) + " "
                    + IdxFile.typeName(type) + " = " + dataBytes + " bytes, which cannot come from " + fileSize
                    + " compressed bytes; the file is truncated or corrupt");
        }
        byte[] data = in.readNBytes((int) dataBytes);
        if (data.length < dataBytes) {
            throw new IllegalArgumentException("IdxReader: " + name + ": truncated: the header says "
                    + Shapes.str(dims) + " " + IdxFile.typeName(type) + " = " + dataBytes
                    + " data bytes, the file holds only " + data.length);
        }
        if (gzip && in.read() >= 0) {
            throw new IllegalArgumentException("IdxReader: " + name + ": trailing data after the " + dataBytes
                    + " bytes the header " + Shapes.str(dims) + " announces; the file is corrupt");
        }
        return new IdxFile(name, type, dims, data);
    }

    private static String partial(int[] dims, int upTo) {
        int[] p = new int[upTo + 1];
        System.arraycopy(dims, 0, p, 0, upTo + 1);
        return Shapes.str(p) + (upTo + 1 < dims.length ? "..." : "");
    }
}
