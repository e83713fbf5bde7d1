package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Engine and layer errors as a script's author sees them: the script's line, the block, the shapes. */
class EngineErrorTest {

    private static String error(String name, String code) {
        Cli.Result r = Cli.runScript("errors/" + name + ".js", code);
        assertEquals(1, r.status(), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        return r.err();
    }

    @Test
    void misspelledOption() {
        String err = error("kernal", "const net = nn.Sequential();\nnet.add(nn.Conv2D(96, {kernal_size: 11}));\n");
        // the option list is the layer's own; the place, the hint and the source line are ours
        assertTrue(err.startsWith("target/e2e/errors/kernal.js:2:9: nn.Conv2D: unknown option 'kernal_size' — "
                + "did you mean 'kernel_size'? Options: kernel_size, strides, padding"), err);
        assertTrue(err.endsWith("\n 2 | net.add(nn.Conv2D(96, {kernal_size: 11}));\n   |         ^\n"), err);
    }

    @Test
    void shapeMismatchInsideANetwork() {
        String err = error("shapes", """
                const net = nn.Sequential();
                net.add(nn.Dense(3, {in_units: 4}));
                net.initialize();
                const X = nd.ones(2, 5);
                const y = net(X);
                """);
        assertEquals("target/e2e/errors/shapes.js:5:11: dense0 (Dense 3): input (2, 5): the input has 5 features but "
                + "the layer was built for 4 (weight (3, 4))\n"
                + " 5 | const y = net(X);\n"
                + "   |           ^\n", err);
    }

    @Test
    void kernelLargerThanInput() {
        String err = error("kernel", """
                const net = nn.Sequential();
                net.add(nn.Conv2D(8, {kernel_size: 11}));
                net.initialize();
                net(nd.zeros([2, 1, 8, 8]));
                """);
        assertEquals("target/e2e/errors/kernel.js:4:1: conv0 (Conv2D 8, kernel 11×11): input (2, 1, 8, 8): conv2d: kernel "
                + "(11, 11) is larger than the padded input (8, 8) of x (2, 1, 8, 8); use a smaller kernel, more padding or "
                + "a larger input\n"
                + " 4 | net(nd.zeros([2, 1, 8, 8]));\n"
                + "   | ^\n", err);
    }

    @Test
    void missingDataIsTheUsersProblemNotAnInternalError() {
        String err = error("nodata", "const ds = gluon.data.vision.FashionMNIST({root: 'no/such/dir', train: true});\n");
        assertTrue(err.startsWith("target/e2e/errors/nodata.js:1:12: Fashion-MNIST: the data directory no/such/dir"), err);
        assertTrue(err.contains("apt-get install dataset-fashion-mnist"), err);
        assertFalse(err.contains("internal error"), err);
    }

    @Test
    void wrongArgumentTypes() {
        String err = error("types", "const l = nn.Dense('ten');\n");
        assertEquals("target/e2e/errors/types.js:1:11: TypeError: Dense: cannot be called with (string); "
                + "it takes Dense(number, {options}) or Dense(number)\n"
                + " 1 | const l = nn.Dense('ten');\n"
                + "   |           ^\n", err);
        err = error("dot", "const W = nd.ones(3, 4);\nnd.dot(W, W);\n");
        assertEquals("target/e2e/errors/dot.js:2:1: dot: shapes (3, 4) and (3, 4) do not match: contracting 4 with 3; "
                + "the last axis of a must equal the first axis of b\n"
                + " 2 | nd.dot(W, W);\n"
                + "   | ^\n", err);
        err = error("record", "const l = autograd.record();\n");
        assertEquals("target/e2e/errors/record.js:1:11: TypeError: autograd.record takes a function: "
                + "autograd.record(() => { ... }) (JavaScript has no 'with' blocks)\n"
                + " 1 | const l = autograd.record();\n"
                + "   |           ^\n", err);
    }

    @Test
    void callingAnObjectThatIsNoFunction() {
        String err = error("notfunction", "const params = nn.Dense(2).collect_params();\nparams();\n");
        assertEquals("target/e2e/errors/notfunction.js:2:1: TypeError: this jgluon object is not a function\n"
                + " 2 | params();\n"
                + "   | ^\n", err);
    }
}
