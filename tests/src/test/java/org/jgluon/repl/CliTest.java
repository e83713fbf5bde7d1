package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The command line: modes, launcher options, script arguments, exit codes, error reports. */
class CliTest {

    @Test
    void helpAndInfo() {
        Cli.Result help = Cli.run("--help");
        assertEquals(0, help.status(), help::toString);
        assertTrue(help.out().contains("usage: jgluon [options] FILE.js"), help::toString);
        Cli.Result info = Cli.run("info");
        assertEquals(0, info.status(), info::toString);
        assertTrue(info.out().startsWith("jgluon "), info::toString);
        assertTrue(info.out().contains("cores: " + Runtime.getRuntime().availableProcessors()), info::toString);
        assertTrue(info.out().contains("graaljs: "), info::toString);
        Cli.Result version = Cli.run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().contains("java: "), version::toString);
    }

    @Test
    void launcherOptionErrors() {
        Cli.Result r = Cli.run("--thread", "2", "x.js");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown option --thread"), r::toString);
        r = Cli.run("--threads", "zero", "x.js");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--threads expects a positive integer, got 'zero'"), r::toString);
        r = Cli.run("no-such-script.js");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no such script: no-such-script.js"), r::toString);
    }

    @Test
    void evalAndArgv() {
        Cli.Result r = Cli.run("-e", "console.log(argv.length, argv[0], argv[1]); console.log(6 * 7)", "--lr", "0.1");
        assertEquals(0, r.status(), r::toString);
        assertEquals("2 --lr 0.1\n42\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void threadsOption() {
        Cli.Result r = Cli.run("--threads", "1", "-e", "print('ok')");
        assertEquals(0, r.status(), r::toString);
        assertEquals(1, org.jgluon.engine.Parallel.threads());
        Cli.run("--threads", String.valueOf(Runtime.getRuntime().availableProcessors()), "-e", "1");
    }

    @Test
    void exitCode() {
        Cli.Result r = Cli.runScript("exit.js", "print('before'); exit(3); print('after');");
        assertEquals(3, r.status(), r::toString);
        assertEquals("before\n", r.out());
    }

    @Test
    void requireRelativeToTheScript() {
        Cli.script("req/lib/util.js", "exports.twice = x => 2 * x;\nexports.where = __filename.endsWith('util.js');\n");
        Cli.Result r = Cli.runScript("req/main.js", "const u = require('./lib/util.js');\nprint(u.twice(21), u.where);\n");
        assertEquals(0, r.status(), r::toString);
        assertEquals("42 true\n", r.out());
    }

    @Test
    void parseArgsTypedValues() {
        String code = """
                const a = parse_args({epochs: 10, lr: 0.01, out: '', bn: true, batch_size: {default: 32, min: 1}});
                print(JSON.stringify(a));
                print(typeof a.epochs, typeof a.lr, typeof a.bn);
                """;
        Cli.Result r = Cli.runScript("args.js", code, "--epochs", "3", "--lr=0.5", "--no-bn", "--batch-size", "8", "rest");
        assertEquals(0, r.status(), r::toString);
        assertEquals("{\"epochs\":3,\"lr\":0.5,\"out\":\"\",\"bn\":false,\"batch_size\":8,\"_\":[\"rest\"]}\n"
                + "number number boolean\n", r.out());
        r = Cli.runScript("args.js", code);
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().startsWith("{\"epochs\":10,\"lr\":0.01,\"out\":\"\",\"bn\":true,\"batch_size\":32"), r::toString);
    }

    @Test
    void parseArgsErrors() {
        String code = "parse_args({epochs: {default: 10, min: 1, help: 'passes over the data'}, lr: 0.01});\nprint('ran');\n";
        Cli.Result r = Cli.runScript("args2.js", code, "--epochs", "-1");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("args2.js: error: --epochs must be at least 1, got -1"), r::toString);
        assertTrue(r.err().contains("--epochs  an integer in [1, ], default 10 — passes over the data"), r::toString);
        assertFalse(r.out().contains("ran"));

        r = Cli.runScript("args2.js", code, "--epoch", "3");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("unknown option --epoch — did you mean --epochs?"), r::toString);

        r = Cli.runScript("args2.js", code, "--epochs", "2.5");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("--epochs expects an integer, got '2.5'"), r::toString);

        r = Cli.runScript("args2.js", code, "--lr", "fast");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("--lr expects a number, got 'fast'"), r::toString);

        r = Cli.runScript("args2.js", code, "--help");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().startsWith("usage: jgluon target/e2e/args2.js [--epochs INT] [--lr FLOAT]"), r::toString);
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() {
        Cli.Result r = Cli.runScript("syntax.js", "const a = 1;\nlet b = (3 +\n  ;\n");
        assertEquals(1, r.status(), r::toString);
        assertEquals("target/e2e/syntax.js:3:3: SyntaxError: Expected an operand but found ;\n"
                + " 3 |   ;\n"
                + "   |   ^\n", r.err());
    }

    @Test
    void runtimeErrorNamesTheLine() {
        Cli.Result r = Cli.runScript("typeerror.js", "const a = 1;\nfunction f(x) {\n  return x.foo.bar;\n}\nf({});\n");
        assertEquals(1, r.status(), r::toString);
        assertEquals("target/e2e/typeerror.js:3:10: TypeError: Cannot read property 'bar' of undefined\n"
                + " 3 |   return x.foo.bar;\n"
                + "   |          ^\n", r.err());
    }

    @Test
    void errorInARequiredModuleNamesThatFile() {
        Cli.script("mod/lib/bad.js", "exports.boom = () => {\n  throw new RangeError('too big');\n};\n");
        Cli.Result r = Cli.runScript("mod/main.js", "const bad = require('./lib/bad.js');\nbad.boom();\n");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("target/e2e/mod/lib/bad.js:2:9: RangeError: too big\n"), r::toString);
    }

    @Test
    void javaErrorHasNoStackTraceUnlessDebug() {
        String code = "print('start');\nconst t = nd.array([[1, 2], [3]]);\n";
        Cli.Result r = Cli.runScript("ragged.js", code);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("target/e2e/ragged.js:2:11: nd.array: the nested arrays are not rectangular"), r::toString);
        assertTrue(r.err().contains(" 2 | const t = nd.array([[1, 2], [3]]);\n   |           ^"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);

        String path = Cli.script("ragged.js", code);
        r = Cli.run("--debug", path);
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("\tat org.jgluon.repl.Bridge"), r::toString);
    }
}
