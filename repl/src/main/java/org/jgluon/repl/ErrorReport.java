package org.jgluon.repl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.jgluon.gluon.data.vision.DataNotFoundException;

/**
 * A script's error as a person wants to read it: {@code file:line:column: message}, the source
 * line and a caret under the column. The place is the user's own code — a syntax error's position,
 * or the first frame of a script (not the prelude) for a JS or Java exception — and the message
 * is the Java one for an engine error (it names the op or block and the shapes). No Java stack
 * trace unless {@code --debug}.
 */
final class ErrorReport {

    private static final Pattern WRAPPER_TEXT = Pattern.compile(
            "Proxy\\((?:\\{\\}|function \\(\\) \\{\\}), \\{get: function get\\(\\) \\{ \\[native code\\] \\}.*?\\}\\)");

    private ErrorReport() {}

    static String format(PolyglotException e, boolean debug) {
        StringBuilder b = new StringBuilder();
        SourceSection where = userLocation(e);
        if (where != null) {
            b.append(displayName(where.getSource())).append(':').append(where.getStartLine()).append(':')
                    .append(where.getStartColumn()).append(": ");
        }
        b.append(message(e, where));
        if (where != null) {
            appendSourceLine(b, where);
        }
        if (debug) {
            StringWriter w = new StringWriter();
            PrintWriter pw = new PrintWriter(w);
            if (e.isHostException()) {
                e.asHostException().printStackTrace(pw);
            }
            e.printStackTrace(pw);
            pw.flush();
            b.append('\n').append(w.toString().stripTrailing());
        }
        return b.toString();
    }

    static String message(PolyglotException e, SourceSection where) {
        if (e.isInterrupted() || e.isCancelled()) {
            return "interrupted";
        }
        if (e.isHostException()) {
            Throwable h = e.asHostException();
            String m = h.getMessage();
            if (h instanceof IllegalArgumentException || h instanceof IllegalStateException
                    || h instanceof UnsupportedOperationException || h instanceof IndexOutOfBoundsException
                    || h instanceof SecurityException || h instanceof DataNotFoundException
                    || h instanceof java.io.UncheckedIOException) {
                return m != null ? m : h.getClass().getSimpleName();
            }
            if (h instanceof OutOfMemoryError) {
                return "out of memory: " + m + " (give the JVM more heap: JGLUON_JAVA_OPTS=-Xmx24g ./jgluon ...)";
            }
            return h.getClass().getName() + (m != null ? ": " + m : "")
                    + " (an internal error of jgluon: run with --debug for the Java stack trace)";
        }
        String m = e.getMessage();
        if (m == null) {
            return "error";
        }
        // GraalJS spells out the prelude's wrapper of a Java object (a JS Proxy) in full
        m = WRAPPER_TEXT.matcher(m).replaceAll("this jgluon object");
        if (e.isSyntaxError() && where != null) {
            // GraalJS repeats the position (0-based column) in a syntax error's message: drop it
            m = m.replaceFirst(Pattern.quote(where.getSource().getName()) + ":\\d+:\\d+\\s*", "");
            m = m.replaceFirst("^(SyntaxError: )?", "SyntaxError: ");
            int nl = m.indexOf('\n');
            if (nl > 0) {
                m = m.substring(0, nl); // GraalJS appends the line and a caret itself; we print our own
            }
        }
        return m;
    }

    /** Where in the user's code the error happened, or null. */
    static SourceSection userLocation(PolyglotException e) {
        SourceSection loc = e.getSourceLocation();
        if (loc != null && isUserSource(loc.getSource()) && (e.isSyntaxError() || !e.isHostException())) {
            return loc;
        }
        for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
            if (f.isGuestFrame() && f.getSourceLocation() != null && isUserSource(f.getSourceLocation().getSource())) {
                return f.getSourceLocation();
            }
        }
        return loc != null && isUserSource(loc.getSource()) ? loc : null;
    }

    private static boolean isUserSource(Source s) {
        return s != null && !s.isInternal() && !s.getName().startsWith(JsSession.PRELUDE_NAME);
    }

    static String displayName(Source s) {
        String path = s.getPath();
        if (path == null) {
            return s.getName();
        }
        try {
            Path p = Path.of(path).toAbsolutePath().normalize();
            Path cwd = Path.of("").toAbsolutePath();
            return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
        } catch (RuntimeException ex) {
            return path;
        }
    }

    private static void appendSourceLine(StringBuilder b, SourceSection where) {
        Source s = where.getSource();
        int line = where.getStartLine();
        if (!s.hasCharacters() || line < 1 || line > s.getLineCount()) {
            return;
        }
        String text = s.getCharacters(line).toString().replace("\t", " ");
        String num = String.valueOf(line);
        b.append('\n').append(' ').append(num).append(" | ").append(text.stripTrailing());
        int col = Math.max(1, where.getStartColumn());
        b.append('\n').append(" ".repeat(num.length() + 1)).append(" | ").append(" ".repeat(Math.min(col - 1, text.length())))
                .append('^');
    }
}
