package org.jgluon.repl;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.PolyglotException;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Splits REPL input for JLine: on Enter, an incomplete JavaScript statement (an open brace, an
 * unfinished expression) asks for another line instead of running; for completion, the "word"
 * is the dotted name before the cursor ({@code nn.Con}, {@code net.}), so a candidate replaces
 * exactly that.
 */
final class JsLineParser implements Parser {

    private static final Pattern DOTTED_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*\\.?$|$");

    private final JsSession session;

    JsLineParser(JsSession session) {
        this.session = session;
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        if (context == ParseContext.ACCEPT_LINE && !line.isBlank() && !line.strip().startsWith(":")) {
            try {
                session.parse(Repl.redeclarable(line.strip()), "<repl>");
            } catch (PolyglotException e) {
                if (e.isIncompleteSource()) {
                    throw new EOFError(-1, -1, "incomplete statement");
                }
                // any other error is reported when the line runs
            }
        }
        String before = line.substring(0, Math.min(cursor, line.length()));
        Matcher m = DOTTED_NAME.matcher(before);
        String word = m.find() ? m.group() : "";
        return new Line(line, cursor, word);
    }

    record Line(String line, int cursor, String word) implements CompletingParsedLine {
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate; // JavaScript names need no escaping
        }

        @Override
        public int rawWordCursor() {
            return word.length();
        }

        @Override
        public int rawWordLength() {
            return word.length();
        }

        @Override
        public int wordCursor() {
            return word.length();
        }

        @Override
        public int wordIndex() {
            return 0;
        }

        @Override
        public List<String> words() {
            return List.of(word);
        }
    }
}
