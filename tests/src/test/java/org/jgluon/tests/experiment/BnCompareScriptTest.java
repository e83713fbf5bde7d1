package org.jgluon.tests.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, {@code scripts/bn_compare.js}, run through the command line on the shipped
 * Fashion-MNIST sample: a few hundred images at the smallest resolution AlexNet takes (67), one
 * or two epochs. Checks what a user sees (the d2l epoch lines, the table) and what the run leaves
 * on disk (settings, history, chart, checkpoint), that a resumed run prints the numbers of an
 * uninterrupted one, and the errors for bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BnCompareScriptTest {

    private static final String SCRIPT = "scripts/bn_compare.js";
    private static final Pattern EPOCH_LINE = Pattern.compile(
            "(alexnet|alexnet_bn) +epoch (\\d+), loss \\d+\\.\\d{4}, train acc [01]\\.\\d{3}, test acc [01]\\.\\d{3}, time \\d+\\.\\d sec");

    @TempDir
    static Path tmp;

    private Path oneEpochDir;
    private ScriptRun oneEpoch;

    /** The common small run: the sample data, resize 67, batch 32, 1 epoch, a fixed seed and thread count. */
    private static String[] small(String... more) {
        String[] base = {"--data", ScriptRun.ROOT.resolve("tests/data/fashion-mnist-sample").toString(),
                "--resize", "67", "--train-size", "64", "--test-size", "32", "--batch-size", "32",
                "--seed", "3", "--threads", "2"};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @BeforeAll
    void runOneEpoch() {
        oneEpochDir = tmp.resolve("one-epoch");
        oneEpoch = ScriptRun.run(180, SCRIPT, small("--epochs", "1", "--out", oneEpochDir.toString()));
    }

    private static List<String> epochLines(ScriptRun run) {
        return run.lines().stream().filter(l -> EPOCH_LINE.matcher(l).matches()).toList();
    }

    /** An epoch line without its time, which is the one value that may differ between runs. */
    private static String withoutTime(String line) {
        return line.replaceAll(", time \\d+\\.\\d sec$", "");
    }

    @Test
    void printsOneD2lLinePerNetworkThenTheTable() {
        assertEquals(0, oneEpoch.exitCode(), oneEpoch::toString);
        List<String> lines = epochLines(oneEpoch);
        assertEquals(2, lines.size(), oneEpoch::toString);
        assertTrue(lines.get(0).startsWith("alexnet "), lines.get(0));
        assertTrue(lines.get(1).startsWith("alexnet_bn "), lines.get(1));
        List<String> out = oneEpoch.lines();
        int header = out.indexOf("| epoch | loss | train acc | test acc | time (s) | loss BN | train acc BN | test acc BN | time BN (s) |");
        assertTrue(header > out.indexOf(lines.get(1)), oneEpoch::toString);
        assertTrue(out.get(header + 2).matches("\\| 1 \\| \\d\\.\\d{4} \\| [01]\\.\\d{3} \\| [01]\\.\\d{3} \\| \\d+\\.\\d \\| "
                + "\\d\\.\\d{4} \\| [01]\\.\\d{3} \\| [01]\\.\\d{3} \\| \\d+\\.\\d \\|"), out.get(header + 2));
        assertTrue(oneEpoch.stdout().contains("after epoch 1: test acc "), oneEpoch::toString);
    }

    @Test
    void writesSettingsHistoryChartAndCheckpoint() throws IOException {
        assertEquals(0, oneEpoch.exitCode(), oneEpoch::toString);
        String settings = Files.readString(oneEpochDir.resolve("settings.json"));
        assertTrue(settings.contains("\"resize\": 67"), settings);
        assertTrue(settings.contains("\"batch_size\": 32"), settings);
        assertTrue(settings.contains("\"threads\": 2"), settings);
        assertTrue(settings.contains("\"vector_bits\""), settings);
        assertTrue(settings.contains("\"cores\""), settings);

        List<String> csv = Files.readAllLines(oneEpochDir.resolve("history.csv"));
        assertEquals("network,epoch,loss,train_acc,test_acc,time_sec", csv.get(0));
        assertEquals(3, csv.size(), csv::toString);
        assertTrue(csv.get(1).startsWith("alexnet,1,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("alexnet_bn,1,"), csv.get(2));
        // The CSV holds the printed numbers at full precision.
        String printed = epochLines(oneEpoch).get(1);
        String[] row = csv.get(2).split(",");
        assertTrue(printed.contains(String.format(java.util.Locale.ROOT, "loss %.4f, train acc %.3f, test acc %.3f",
                Double.parseDouble(row[2]), Double.parseDouble(row[3]), Double.parseDouble(row[4]))), printed + " vs " + csv.get(2));

        String json = Files.readString(oneEpochDir.resolve("history.json"));
        assertTrue(json.contains("\"name\": \"alexnet_bn\""), json);
        assertTrue(json.contains("\"test_acc\""), json);

        byte[] png = Files.readAllBytes(oneEpochDir.resolve("chart.png"));
        assertTrue(Arrays.equals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(png, 8)));
        BufferedImage chart = ImageIO.read(oneEpochDir.resolve("chart.png").toFile());
        assertNotNull(chart, "chart.png decodes");
        assertTrue(chart.getWidth() > chart.getHeight(), "three panels side by side");

        Path cp = oneEpochDir.resolve("checkpoint/epoch-0001");
        for (String f : List.of("alexnet.params", "alexnet_bn.params", "alexnet.states", "alexnet_bn.states", "state.json")) {
            assertTrue(Files.size(cp.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(oneEpochDir.resolve("checkpoint/latest.json")).contains("epoch-0001"));
        try (Stream<Path> files = Files.walk(oneEpochDir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp") || n.endsWith(".partial")).toList(), "no temporary files left");
        }
    }

    @Test
    void aResumedRunPrintsTheSameNumbersAsAnUninterruptedOne() throws IOException {
        assertEquals(0, oneEpoch.exitCode(), oneEpoch::toString);
        Path resumedDir = tmp.resolve("resumed");
        copyTree(oneEpochDir, resumedDir);
        ScriptRun resumed = ScriptRun.run(180, SCRIPT, "--resume", resumedDir.toString(), "--epochs", "2");
        assertEquals(0, resumed.exitCode(), resumed::toString);
        ScriptRun straight = ScriptRun.run(180, SCRIPT, small("--epochs", "2", "--out", tmp.resolve("straight").toString()));
        assertEquals(0, straight.exitCode(), straight::toString);

        List<String> expected = epochLines(straight).stream().map(BnCompareScriptTest::withoutTime).toList();
        assertEquals(4, expected.size(), straight::toString);
        assertEquals(expected.subList(0, 2), epochLines(oneEpoch).stream().map(BnCompareScriptTest::withoutTime).toList());
        assertEquals(expected.subList(2, 4), epochLines(resumed).stream().map(BnCompareScriptTest::withoutTime).toList(),
                "epoch 2 after --resume\n" + resumed);
        // The second epoch really trained: the numbers moved.
        assertNotEquals(expected.get(0).replace("epoch 1", ""), expected.get(2).replace("epoch 2", ""));
        // The resumed run's history holds both epochs, like the uninterrupted one.
        assertEquals(5, Files.readAllLines(resumedDir.resolve("history.csv")).size());
    }

    @Test
    void badFlagValuesAreClearErrors() {
        ScriptRun negative = ScriptRun.run(60, SCRIPT, "--epochs", "-1");
        assertNotEquals(0, negative.exitCode());
        assertTrue((negative.stdout() + negative.stderr()).contains("--epochs must be at least 1"), negative::toString);

        ScriptRun small = ScriptRun.run(60, SCRIPT, "--resize", "32");
        assertNotEquals(0, small.exitCode());
        assertTrue((small.stdout() + small.stderr()).contains("--resize must be at least 67"), small::toString);
    }

    @Test
    void anUnwritableOutIsAClearError() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        ScriptRun run = ScriptRun.run(60, SCRIPT, small("--out", file.resolve("run").toString()));
        assertNotEquals(0, run.exitCode());
        String all = run.stdout() + run.stderr();
        assertTrue(all.contains("cannot write the run directory") && all.contains("--out"), run::toString);
        assertTrue(epochLines(run).isEmpty(), "stops before training");
    }

    @Test
    void resumingADirectoryWithoutACheckpointIsAClearError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ScriptRun run = ScriptRun.run(60, SCRIPT, "--resume", empty.toString());
        assertNotEquals(0, run.exitCode());
        assertTrue((run.stdout() + run.stderr()).contains("holds no finished epoch"), run::toString);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
