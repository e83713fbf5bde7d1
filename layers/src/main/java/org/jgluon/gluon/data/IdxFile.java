package org.jgluon.gluon.data;

import org.jgluon.engine.Shapes;

/**
 * The contents of one IDX file (the format of MNIST and Fashion-MNIST): the element type code,
 * the dimensions and the raw big-endian element bytes, kept as read so that 60 000 uint8 images
 * cost 47 MB rather than four times that as floats.
 *
 * @param source where it was read from (for error messages)
 * @param type   the IDX type code, one of {@link #UBYTE}, {@link #BYTE}, {@link #SHORT},
 *               {@link #INT}, {@link #FLOAT}, {@link #DOUBLE}
 * @param dims   the extents, outermost first
 * @param data   {@code prod(dims) * elementSize(type)} bytes, big-endian
 */
public record IdxFile(String source, int type, int[] dims, byte[] data) {

    public static final int UBYTE = 0x08;
    public static final int BYTE = 0x09;
    public static final int SHORT = 0x0B;
    public static final int INT = 0x0C;
    public static final int FLOAT = 0x0D;
    public static final int DOUBLE = 0x0E;

    public IdxFile {
        dims = dims.clone();
        long expected = (long) Shapes.checkedSize("IdxFile", dims) * elementSize(type);
        if (data.length != expected) {
            throw new IllegalArgumentException("IdxFile " + source + ": " + data.length + " data bytes for dims "
                    + Shapes.str(dims) + " of type " + typeName(type) + " (want " + expected + ")");
        }
    }

    /** Bytes per element of an IDX type code; -1 for a code the format does not define. */
    public static int elementSize(int type) {
        return switch (type) {
            case UBYTE, BYTE -> 1;
            case SHORT -> 2;
            case INT, FLOAT -> 4;
            case DOUBLE -> 8;
            default -> -1;
        };
    }

    public static String typeName(int type) {
        return switch (type) {
            case UBYTE -> "ubyte";
            case BYTE -> "byte";
            case SHORT -> "short";
            case INT -> "int";
            case FLOAT -> "float";
            case DOUBLE -> "double";
            default -> String.format("unknown (0x%02X)", type);
        };
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int dim(int i) {
        return dims[i];
    }

    public int ndim() {
        return dims.length;
    }

    /** The number of elements. */
    public int count() {
        return data.length / elementSize(type);
    }

    /** Element {@code i} as a float (ubyte as 0..255, the signed types as their value). */
    public float floatAt(int i) {
        int b = i * elementSize(type);
        return switch (type) {
            case UBYTE -> data[i] & 0xFF;
            case BYTE -> data[i];
            case SHORT -> (short) (((data[b] & 0xFF) << 8) | (data[b + 1] & 0xFF));
            case INT -> intAt(b);
            case FLOAT -> Float.intBitsToFloat(intAt(b));
            case DOUBLE -> (float) Double.longBitsToDouble(((long) intAt(b) << 32) | (intAt(b + 4) & 0xFFFFFFFFL));
            default -> throw new IllegalStateException("unreachable: type checked in the constructor");
        };
    }

    private int intAt(int b) {
        return ((data[b] & 0xFF) << 24) | ((data[b + 1] & 0xFF) << 16) | ((data[b + 2] & 0xFF) << 8) | (data[b + 3] & 0xFF);
    }

    /** All elements as floats, in the file's shape. */
    public org.jgluon.engine.Tensor toTensor() {
        float[] out = new float[count()];
        for (int i = 0; i < out.length; i++) out[i] = floatAt(i);
        return org.jgluon.engine.Tensor.wrap(out, dims);
    }

    @Override
    public String toString() {
        return "IdxFile(" + source + ", " + typeName(type) + ", " + Shapes.str(dims) + ")";
    }
}
