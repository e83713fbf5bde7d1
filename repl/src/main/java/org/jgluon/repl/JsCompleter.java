package org.jgluon.repl;

import java.util.List;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion: global names ({@code nd}, {@code nn}, a variable), and after a dot the members
 * of the value the dotted name evaluates to ({@code nn.Con} → {@code nn.Conv2D}, {@code net.}
 * → {@code net.collect_params} ...). Only plain dotted names are evaluated (no calls), so
 * completing runs nothing but property reads.
 */
final class JsCompleter implements Completer {

    private final JsSession session;

    JsCompleter(JsSession session) {
        this.session = session;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        candidates.addAll(candidates(line.word()));
    }

    /** The completions of a dotted name prefix such as {@code nn.Con} or {@code net.}. */
    List<Candidate> candidates(String word) {
        int dot = word.lastIndexOf('.');
        try {
            if (dot < 0) {
                return session.globals().stream()
                        .filter(n -> n.startsWith(word))
                        .map(n -> new Candidate(n, n, null, null, null, null, false))
                        .toList();
            }
            String owner = word.substring(0, dot);
            String prefix = word.substring(dot + 1);
            Value v = session.eval(owner, "<completion>");
            return session.members(v).stream()
                    .filter(n -> n.startsWith(prefix))
                    .map(n -> new Candidate(owner + "." + n, n, null, null, null, null, false))
                    .toList();
        } catch (PolyglotException e) {
            return List.of(); // an unknown name has no completions
        }
    }
}
