package org.jgluon.engine.memory;

/**
 * The life of one pooled {@code float[]}, shared by the tensor that took it and all its views
 * ({@code view}, {@code detach}, {@code reshape}): whether it is an <em>internal</em> activation
 * (made inside a built-in block and never handed to user code, see {@link Recycling}) and
 * whether it has been given back to the {@link BufferPool}. Decisions are made per array, not per
 * tensor, so a view that escapes keeps the whole array alive, and an array is given back once.
 */
public final class Storage {

    private final float[] data;
    private boolean internal;
    private Recycling.Frame owner; // the block call that may free it in predict mode; null once escaped
    private String releasedAs;     // why it was given back (a format with one %s: the op); null while alive
    private String releasedBy;     // the op named in releasedAs

    Storage(float[] data) {
        this.data = data;
    }

    /** True while no user code can reach the array: it may be given back once its last reader is done. */
    public boolean isInternal() {
        return internal && releasedAs == null;
    }

    public boolean isReleased() {
        return releasedAs != null;
    }

    void adopt(Recycling.Frame frame) {
        internal = true;
        owner = frame;
    }

    Recycling.Frame owner() {
        return owner;
    }

    void moveTo(Recycling.Frame frame) {
        owner = frame;
    }

    /** User code got hold of the array (a block result, a view of one, an input handed to user code): never give it back. */
    void escape() {
        internal = false;
        owner = null;
    }

    /** Gives the array back to the pool; {@code why} names the tensor for the error a later access gets. */
    public void release(String why) {
        release(why, null);
    }

    /**
     * As {@link #release(String)} with {@code why} a format naming {@code op} at its {@code %s}:
     * the message is built only for the error (backward releases dozens of arrays a step).
     */
    public void release(String why, String op) {
        if (!isInternal()) {
            throw new IllegalStateException("Storage: only an internal, live array can be given back (" + why.formatted(op) + ")");
        }
        releasedAs = why;
        releasedBy = op;
        owner = null;
        BufferPool.give(data);
    }

    /** Gives the array back even though it escaped: its owner vouches that nothing will read it again. */
    void dispose() {
        if (releasedAs != null) return;
        releasedAs = "disposed by its owner";
        internal = false;
        owner = null;
        BufferPool.give(data);
    }

    /** The error for any access to a tensor over a given-back array. */
    public IllegalStateException accessError(String shape) {
        return new IllegalStateException("tensor " + shape + " is " + releasedAs.formatted(releasedBy) + "; its buffer was given back for"
                + " reuse, so its values are gone. Internal activations of a block (not the result of the outermost"
                + " block call) are recycled after backward (retain_graph=False) and, in predict mode, as soon as"
                + " the next layer has read them. To keep one: call backward with retain_graph=True, copy() it"
                + " before backward, or return it from the block you call; -Djgluon.recycle=false turns"
                + " recycling off");
    }
}
