package org.jgluon.engine.autograd;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Supplier;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;

/**
 * MXNet's autograd: a tape of ops recorded while recording is on, walked in reverse by
 * {@link #backward}. State is per thread, as in MXNet (data-loading threads never record).
 *
 * <p>Recording implies train mode unless told otherwise, which is what layers read through
 * {@link #isTraining()} (BatchNorm on batch statistics, Dropout on). A plain forward outside
 * {@code record} runs in predict mode.
 *
 * <p>The tape survives the end of a {@code record} scope (the d2l loop calls {@code backward()}
 * after leaving it) and is dropped by {@code backward} or by the next top-level {@code record}.
 */
public final class Autograd {

    /** One recorded op: its output, inputs and the closure that back-propagates through it. */
    private record Entry(String op, Tensor output, Tensor[] inputs, BackwardFn fn) {}

    private static final class State {
        boolean recording;
        boolean training;
        List<Entry> tape = new ArrayList<>();
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private Autograd() {}

    public static boolean isRecording() {
        return STATE.get().recording;
    }

    public static boolean isTraining() {
        return STATE.get().training;
    }

    /** Runs {@code body} recording, in train mode ({@code autograd.record()}). */
    public static <T> T record(Supplier<T> body) {
        return record(true, body);
    }

    /** Runs {@code body} recording, in train or predict mode ({@code autograd.record(train_mode=...)}). */
    public static <T> T record(boolean trainMode, Supplier<T> body) {
        State s = STATE.get();
        boolean wasRecording = s.recording, wasTraining = s.training;
        if (!wasRecording) s.tape = new ArrayList<>();
        s.recording = true;
        s.training = trainMode;
        try {
            return body.get();
        } finally {
            s.recording = wasRecording;
            s.training = wasTraining;
        }
    }

    /** Runs {@code body} with recording off ({@code autograd.pause()}), in predict mode unless told. */
    public static <T> T pause(boolean trainMode, Supplier<T> body) {
        return scope(false, trainMode, body);
    }

    /** Runs {@code body} in train mode without changing recording ({@code autograd.train_mode()}). */
    public static <T> T trainMode(Supplier<T> body) {
        return scope(STATE.get().recording, true, body);
    }

    /** Runs {@code body} in predict mode without changing recording ({@code autograd.predict_mode()}). */
    public static <T> T predictMode(Supplier<T> body) {
        return scope(STATE.get().recording, false, body);
    }

    private static <T> T scope(boolean recording, boolean training, Supplier<T> body) {
        State s = STATE.get();
        boolean wasRecording = s.recording, wasTraining = s.training;
        s.recording = recording;
        s.training = training;
        try {
            return body.get();
        } finally {
            s.recording = wasRecording;
            s.training = wasTraining;
        }
    }

    /**
     * Records an op whose forward has already run. Does nothing unless recording is on and one
     * of the inputs requires grad; then {@code output} requires grad too. Inputs may be null
     * (an absent bias). Returns {@code output} for chaining.
     */
    public static Tensor recordOp(String op, Tensor output, BackwardFn fn, Tensor... inputs) {
        State s = STATE.get();
        if (!s.recording) return output;
        boolean any = false;
        for (Tensor in : inputs) any |= in != null && in.requiresGrad();
        if (!any) return output;
        output.markRequiresGrad();
        s.tape.add(new Entry(op, output, inputs, fn));
        return output;
    }

    /** True when {@link #recordOp} would record an op with these inputs: lets a kernel skip saving state. */
    public static boolean wouldRecord(Tensor... inputs) {
        if (!STATE.get().recording) return false;
        for (Tensor in : inputs) if (in != null && in.requiresGrad()) return true;
        return false;
    }

    /**
     * Back-propagates from {@code head}. Leaves with {@code grad_req='write'} are zeroed first, so
     * a leaf used by several ops receives the sum over all of them; {@code 'add'} leaves keep what
     * they had. The tape is dropped afterwards, and so are the intermediate gradients.
     */
    public static void backward(Tensor head, Tensor headGrad) {
        State s = STATE.get();
        if (!head.requiresGrad()) {
            throw new IllegalStateException("backward: this tensor " + head.shapeString()
                    + " is not part of a recorded computation. Compute it inside autograd.record(...)"
                    + " from inputs that called attach_grad() (parameters do this in initialize()).");
        }
        if (headGrad != null && !Shapes.same(headGrad.shape(), head.shape())) {
            throw new IllegalArgumentException("backward: head gradient " + headGrad.shapeString()
                    + " does not match the output " + head.shapeString());
        }
        List<Entry> tape = s.tape;
        IdentityHashMap<Tensor, Boolean> outputs = new IdentityHashMap<>();
        for (Entry e : tape) outputs.put(e.output, true);
        IdentityHashMap<Tensor, Boolean> zeroed = new IdentityHashMap<>();
        for (Entry e : tape) {
            for (Tensor in : e.inputs) {
                if (in != null && in.gradReq() == GradReq.WRITE && !outputs.containsKey(in)
                        && zeroed.put(in, true) == null) {
                    in.gradBuffer().fill(0f);
                }
            }
        }
        if (!outputs.containsKey(head)) {
            // a leaf: its own gradient is the head gradient
            head.gradBuffer().copyFrom(headGrad != null ? headGrad : Tensor.full(1f, head.shape()));
            s.tape = new ArrayList<>();
            return;
        }
        for (Entry e : tape) e.output.clearGrad();
        Tensor g = head.gradBuffer();
        if (headGrad != null) g.copyFrom(headGrad); else g.fill(1f);
        try {
            for (int i = tape.size() - 1; i >= 0; i--) {
                Entry e = tape.get(i);
                Tensor outGrad = e.output.grad();
                if (outGrad != null) e.fn.backward(outGrad);
            }
        } finally {
            for (Entry e : tape) e.output.clearGrad();
            s.tape = new ArrayList<>();
        }
    }
}
