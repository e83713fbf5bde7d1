package org.jgluon.repl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extra Java objects that scripts and the REPL see as globals, beside the Gluon API of the prelude
 * ({@code mx}, {@code nd}, {@code nn}, ...). This is the one place to add one: a line
 * {@code g.put("name", object)}. The object's class must be in jgluon's API
 * ({@code org.jgluon.*} outside {@code org.jgluon.repl}, or {@code org.jgluon.repl.report}); it is
 * wrapped like every API object, so its methods answer to Gluon's snake_case names and tensors
 * come out as NDArrays.
 */
public final class Globals {

    private Globals() {}

    /** A fresh set of globals for one script run or REPL session. */
    static Map<String, Object> create() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("report", new org.jgluon.repl.report.Report()); // the training report (report.open, startEpoch, ...)
        return g;
    }
}
