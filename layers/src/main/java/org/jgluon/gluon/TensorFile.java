package org.jgluon.gluon;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

import org.jgluon.engine.Shapes;

/**
 * jgluon's binary container for named float32 arrays: parameter files ({@link ParameterFile}) and
 * optimizer states ({@link Trainer#saveStates}). The format, version 1 (integers big-endian, as
 * {@code java.io.DataOutputStream} writes them):
 *
 * <pre>
 *   8 bytes   magic, ASCII: "JGLNPARM" (parameters) or "JGLNOPTS" (optimizer states)
 *   int32     version = 1
 *   int32     count: the number of entries
 *   count ×   uint16 L, then L bytes: the entry's name in UTF-8
 *             uint8  ndim (0..8)
 *             ndim × int32: the extents (each ≥ 0)
 *             prod(extents) × float32 (IEEE 754, big-endian): the values, row-major
 *   int32     CRC32 of every byte before it
 * </pre>
 *
 * Writing goes to a temporary file in the same directory, which is then renamed over the target
 * (atomically where the file system allows), so a crash never leaves a half-written file.
 * Reading checks the size, magic, version and checksum first and bounds every length by the
 * bytes that are left, so a damaged file gives an {@link IllegalArgumentException} naming the
 * file — never an out-of-memory error or an index exception.
 */
public final class TensorFile {

    public static final int VERSION = 1;
    public static final int MAX_NDIM = 8;
    private static final int HEADER = 8 + 4 + 4;

    /** One stored array. */
    public record Entry(int[] shape, float[] data) {}

    private TensorFile() {}

    /** Writes {@code entries} (name → shape and values) under {@code magic}; atomic. */
    public static void write(Path file, String magic, Map<String, Entry> entries) {
        byte[] magicBytes = magicBytes(magic);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            CRC32 crc = new CRC32();
            try (OutputStream raw = Files.newOutputStream(tmp);
                 CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
                 DataOutputStream out = new DataOutputStream(checked)) {
                out.write(magicBytes);
                out.writeInt(VERSION);
                out.writeInt(entries.size());
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                for (Map.Entry<String, Entry> e : entries.entrySet()) {
                    byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                    if (name.length > 0xFFFF) throw new IllegalArgumentException("name too long: " + e.getKey());
                    int[] shape = e.getValue().shape();
                    float[] data = e.getValue().data();
                    if (shape.length > MAX_NDIM || Shapes.checkedSize("save", shape) != data.length) {
                        throw new IllegalArgumentException("save: bad entry '" + e.getKey() + "' " + Shapes.str(shape));
                    }
                    out.writeShort(name.length);
                    out.write(name);
                    out.writeByte(shape.length);
                    for (int d : shape) out.writeInt(d);
                    for (int i = 0; i < data.length; ) {
                        int n = Math.min(buf.capacity() / 4, data.length - i);
                        buf.clear();
                        buf.asFloatBuffer().put(data, i, n);
                        out.write(buf.array(), 0, n * 4);
                        i += n;
                    }
                }
                out.flush();
                // the checksum covers everything written so far; it is not itself checksummed
                int sum = (int) crc.getValue();
                out.writeInt(sum);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error matters more than a leftover temporary file
                }
            }
        }
    }

    /** Reads and fully validates a file written by {@link #write} with the same {@code magic}. */
    public static Map<String, Entry> read(Path file, String magic, String what) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException(file + " is not a " + what + " file: " + size + " bytes is too large");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString(), magic, what);
    }

    /** Parses the bytes of a file ({@code source} names it in errors). */
    public static Map<String, Entry> parse(byte[] bytes, String source, String magic, String what) {
        byte[] magicBytes = magicBytes(magic);
        if (bytes.length < HEADER + 4) {
            throw new IllegalArgumentException(source + " is not a " + what + " file: only " + bytes.length
                    + " bytes (truncated or empty)");
        }
        for (int i = 0; i < 8; i++) {
            if (bytes[i] != magicBytes[i]) {
                throw new IllegalArgumentException(source + " is not a " + what + " file: wrong magic (expected \""
                        + magic + "\", found \"" + printable(bytes, 8) + "\")");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(8);
        int version = in.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(source + ": unsupported " + what + " file version " + version
                    + " (this jgluon reads version " + VERSION + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) {
            throw new IllegalArgumentException(source + ": checksum mismatch — the file is truncated or corrupt (CRC32 "
                    + Integer.toHexString((int) crc.getValue()) + ", stored " + Integer.toHexString(stored) + ")");
        }
        int end = bytes.length - 4;
        int count = in.getInt();
        // every entry takes at least 3 bytes (name length + ndim), so a larger count is a lie
        if (count < 0 || (long) count * 3 > end - in.position()) {
            throw corrupt(source, "entry count " + count + " does not fit in " + bytes.length + " bytes");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            need(in, end, 2, source, "entry " + k);
            int nameLen = in.getShort() & 0xFFFF;
            need(in, end, nameLen + 1, source, "entry " + k + " name");
            String name = new String(bytes, in.position(), nameLen, StandardCharsets.UTF_8);
            in.position(in.position() + nameLen);
            int ndim = in.get() & 0xFF;
            if (ndim > MAX_NDIM) throw corrupt(source, "parameter '" + name + "' claims " + ndim + " axes");
            need(in, end, 4L * ndim, source, "parameter '" + name + "' shape");
            int[] shape = new int[ndim];
            long elems = 1;
            for (int i = 0; i < ndim; i++) {
                shape[i] = in.getInt();
                if (shape[i] < 0) throw corrupt(source, "parameter '" + name + "' has a negative extent " + shape[i]);
                elems *= shape[i];
                if (elems > end) throw corrupt(source, "parameter '" + name + "' shape " + Shapes.str(shape) + " is larger than the file");
            }
            need(in, end, 4 * elems, source, "parameter '" + name + "' " + Shapes.str(shape) + " values");
            float[] data = new float[(int) elems];
            in.asFloatBuffer().get(data);
            in.position(in.position() + 4 * (int) elems);
            if (out.put(name, new Entry(shape, data)) != null) throw corrupt(source, "parameter '" + name + "' appears twice");
        }
        if (in.position() != end) {
            throw corrupt(source, (end - in.position()) + " unexpected bytes after the last entry");
        }
        return out;
    }

    private static void need(ByteBuffer in, int end, long n, String source, String what) {
        if (n > end - in.position()) {
            throw corrupt(source, what + " needs " + n + " bytes but only " + (end - in.position()) + " are left");
        }
    }

    private static IllegalArgumentException corrupt(String source, String detail) {
        return new IllegalArgumentException(source + " is corrupt: " + detail);
    }

    private static byte[] magicBytes(String magic) {
        byte[] b = magic.getBytes(StandardCharsets.US_ASCII);
        if (b.length != 8) throw new IllegalArgumentException("magic must be 8 ASCII characters: " + magic);
        return b;
    }

    private static String printable(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n && i < b.length; i++) {
            int c = b[i] & 0xFF;
            s.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return s.toString();
    }
}
