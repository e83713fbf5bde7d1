package org.jgluon.engine.autograd;

/** MXNet's {@code grad_req}: how backward stores a leaf's gradient. */
public enum GradReq {
    /** Each backward overwrites the gradient. */
    WRITE,
    /** Each backward adds to the gradient; the caller zeroes it. */
    ADD,
    /** No gradient. */
    NULL;

    /** Parses MXNet's spelling: {@code 'write'}, {@code 'add'}, {@code 'null'}. */
    public static GradReq parse(String s) {
        return switch (s) {
            case "write" -> WRITE;
            case "add" -> ADD;
            case "null" -> NULL;
            default -> throw new IllegalArgumentException("grad_req must be 'write', 'add' or 'null', got '" + s + "'");
        };
    }
}
