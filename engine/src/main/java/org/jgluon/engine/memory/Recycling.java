package org.jgluon.engine.memory;

import java.util.ArrayList;
import java.util.List;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;

/**
 * Which large activations no user code can reach, so that their arrays may go back to the
 * {@link BufferPool}: the frames of built-in block calls on this thread.
 *
 * <p>A built-in block (a layer's computation, a {@code Sequential}'s loop) runs between
 * {@link #enter()} and {@link #exit}. A pooled tensor allocated inside a frame is
 * <em>internal</em> ({@link Storage#isInternal()}); the frame owns it. When the frame ends, its
 * result passes to the enclosing frame, or escapes (is never recycled) when the caller is user
 * code. Code that is not built-in runs under {@link #enterUserCode}: tensors it receives escape,
 * and what it allocates is not internal. So an internal tensor is one that only built-in code
 * has seen, and that code drops it after use.
 *
 * <p>Two places give internal arrays back: {@code Autograd.backward} (retain_graph=False) once the
 * last recorded op reading one has back-propagated, and {@link #checkpoint} in predict mode (no
 * recording), once the next layer has produced its output. Any later access to such a tensor
 * throws (see {@link Storage#accessError}). {@code -Djgluon.recycle=false} switches pooling and
 * recycling off.
 */
public final class Recycling {

    private static volatile boolean enabled = !"false".equalsIgnoreCase(System.getProperty("jgluon.recycle", "true"));

    /** One block call in progress on this thread. */
    public static final class Frame {
        private final Frame parent;
        private final boolean builtIn;
        private final boolean recording;
        private final List<Storage> owned = new ArrayList<>(2);

        private Frame(Frame parent, boolean builtIn) {
            this.parent = parent;
            this.builtIn = builtIn;
            this.recording = Autograd.isRecording();
        }
    }

    private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

    private Recycling() {}

    public static boolean enabled() {
        return enabled;
    }

    /** Switches pooling and recycling on or off (tests and benchmarks compare both). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Starts a built-in block's computation. Pair with {@link #exit} (or {@link #abandon} on an exception). */
    public static Frame enter() {
        Frame f = new Frame(CURRENT.get(), true);
        CURRENT.set(f);
        return f;
    }

    /** Starts code that is not built-in (a user's block) on {@code input}: the input escapes. */
    public static Frame enterUserCode(Tensor input) {
        escape(input);
        Frame f = new Frame(CURRENT.get(), false);
        CURRENT.set(f);
        return f;
    }

    /**
     * Ends {@code frame} with {@code result}: in predict mode gives back every array the frame
     * still owns except the result's; the result passes to the enclosing built-in frame, or
     * escapes to user code.
     */
    public static Tensor exit(Frame frame, Tensor result) {
        checkpoint(frame, result);
        CURRENT.set(frame.parent);
        Storage s = result == null ? null : result.storage();
        if (s != null && s.owner() == frame) {
            if (frame.parent != null && frame.parent.builtIn) {
                s.moveTo(frame.parent);
                frame.parent.owned.add(s);
            } else {
                s.escape();
            }
        } else if (frame.parent == null || !frame.parent.builtIn) {
            escape(result); // also a tensor handed through from further out
        }
        return result;
    }

    /** Ends {@code frame} after an exception; nothing is given back. */
    public static void abandon(Frame frame) {
        CURRENT.set(frame.parent);
    }

    /**
     * In predict mode (nothing recorded since the frame began), gives back the arrays the frame
     * owns except {@code live}'s: the intermediate results its built-in code has finished with.
     */
    public static void checkpoint(Frame frame, Tensor live) {
        if (frame.owned.isEmpty()) return;
        Storage keep = live == null ? null : live.storage();
        if (frame.recording || Autograd.isRecording() || !enabled) {
            return; // recorded ops may read them in backward, which gives them back itself
        }
        List<Storage> owned = frame.owned;
        for (int i = owned.size() - 1; i >= 0; i--) {
            Storage s = owned.get(i);
            if (s == keep && s.owner() == frame) continue;
            owned.remove(i);
            if (s.owner() == frame && s.isInternal()) s.release("an internal activation of a block, freed in predict mode once the next layer had read it");
        }
    }

    /** Called for every pooled op output: inside a built-in frame it becomes internal and owned there. */
    public static Storage track(float[] data) {
        Storage s = new Storage(data);
        Frame f = CURRENT.get();
        if (f != null && f.builtIn && enabled) {
            s.adopt(f);
            f.owned.add(s);
        }
        return s;
    }

    /**
     * Gives {@code t}'s pooled array back now, though user code holds it: for a caller that owns
     * {@code t} outright and is done with it (a benchmark loop). Every later access through
     * {@code t} or a view of it throws. Nothing happens for a tensor over a plain array.
     */
    public static void dispose(Tensor t) {
        Storage s = t == null ? null : t.storage();
        if (s != null) s.dispose();
    }

    /** {@code t}'s array reaches user code: it is never recycled. */
    public static void escape(Tensor t) {
        Storage s = t == null ? null : t.storage();
        if (s != null) s.escape();
    }
}
