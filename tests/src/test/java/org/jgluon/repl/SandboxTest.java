package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Scripts reach the jgluon API and nothing else of the JVM, unless --allow-host-access. */
class SandboxTest {

    private static String attempt(String code) {
        return "try { " + code + "; print('ALLOWED'); } catch (e) { print('refused: ' + e.message); }\n";
    }

    @Test
    void noHostClassesFilesOrProcesses() {
        Cli.script("sandbox/inside.js", "exports.ok = true;\n");
        Cli.script("outside.js", "exports.secret = 42;\n");
        String code = attempt("Java.type('java.lang.System')")
                + attempt("Java.type('java.io.File')")
                + attempt("require('/etc/passwd')")
                + attempt("require('../outside.js')")
                + attempt("load('/etc/hostname')")
                + attempt("Polyglot.eval('js', '1')")
                + attempt("nd.array([1])._t.getClass().forName('java.lang.Runtime')")
                + "print('inside ok: ' + require('./inside.js').ok);\n";
        Cli.Result r = Cli.runScript("sandbox/main.js", code);
        assertEquals(0, r.status(), r::toString);
        String[] lines = r.out().split("\n");
        assertEquals(8, lines.length, r::toString);
        for (int i = 0; i < 7; i++) {
            assertTrue(lines[i].startsWith("refused: "), () -> r.toString());
        }
        assertTrue(lines[0].contains("java.lang.System"), r::toString);
        assertTrue(lines[2].contains("is outside it. Run with --allow-host-access"), r::toString);
        assertTrue(lines[3].contains("outside.js is outside it"), r::toString);
        assertEquals("inside ok: true", lines[7]);
    }

    @Test
    void allowHostAccessLiftsIt() {
        String path = Cli.script("host.js", "const S = Java.type('java.lang.Integer');\nprint(S.toHexString(255));\n");
        Cli.Result r = Cli.run("--allow-host-access", path);
        assertEquals(0, r.status(), r::toString);
        assertEquals("ff\n", r.out());
        Cli.Result refused = Cli.run(path);
        assertEquals(1, refused.status(), refused::toString);
        assertTrue(refused.err().contains("Access to host class java.lang.Integer is not allowed"), refused::toString);
    }
}
