package org.jgluon.repl.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path tmp;

    @AfterEach
    void resetRng() {
        Rng.seedGlobal(0);
    }

    private static Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epochs", 2);
        s.put("lr", 0.01);
        s.put("resize", 67);
        s.put("networks", List.of("alexnet", "alexnet_bn"));
        return s;
    }

    private Report twoEpochRun(Path out) {
        Report r = new Report();
        r.setLive(false);
        r.open(settings(), out.toString());
        r.endEpoch("alexnet", 1, 2.291, 0.125, 0.344, 61.25);
        r.endEpoch("alexnet_bn", 1, 0.573, 0.8, 0.84, 70.5);
        r.endEpoch("alexnet", 2, 1.458, 0.5, 0.64, 60.0);
        r.endEpoch("alexnet_bn", 2, 0.367, 0.875, 0.883, 69.0);
        return r;
    }

    @Test
    void settingsFileHoldsTheSettingsEngineAndMachine() throws Exception {
        Path out = tmp.resolve("run");
        String dir = new Report().open(settings(), out.toString());
        assertEquals(out.toAbsolutePath().normalize().toString(), dir);
        Map<?, ?> file = (Map<?, ?>) Json.parse(Files.readString(out.resolve("settings.json")));
        Map<?, ?> s = (Map<?, ?>) file.get("settings");
        assertEquals(2L, s.get("epochs"));
        assertEquals(0.01, s.get("lr"));
        assertEquals(List.of("alexnet", "alexnet_bn"), s.get("networks"));
        Map<?, ?> machine = (Map<?, ?>) file.get("machine");
        assertEquals((long) Runtime.getRuntime().availableProcessors(), machine.get("cores"));
        assertEquals((long) Parallel.threads(), machine.get("threads"));
        long bits = (Long) machine.get("vector_bits");
        assertEquals(bits / 32, machine.get("vector_floats"));
        assertTrue(bits >= 64, "vector length " + bits);
        assertNotNull(((Map<?, ?>) file.get("engine")).get("version"));
    }

    @Test
    void historyCsvHasOneRowPerNetworkAndEpoch() throws Exception {
        Path out = tmp.resolve("run");
        twoEpochRun(out);
        List<String> lines = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(List.of(
                "network,epoch,loss,train_acc,test_acc,time_sec",
                "alexnet,1,2.291,0.125,0.344,61.25",
                "alexnet,2,1.458,0.5,0.64,60.0",
                "alexnet_bn,1,0.573,0.8,0.84,70.5",
                "alexnet_bn,2,0.367,0.875,0.883,69.0"), lines);
    }

    @Test
    void historyJsonReadsBackToTheRecordedValues() throws Exception {
        Path out = tmp.resolve("run");
        twoEpochRun(out);
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(out.resolve("history.json")));
        List<?> nets = (List<?>) root.get("networks");
        assertEquals(2, nets.size());
        Map<?, ?> bn = (Map<?, ?>) nets.get(1);
        assertEquals("alexnet_bn", bn.get("name"));
        Map<?, ?> second = (Map<?, ?>) ((List<?>) bn.get("epochs")).get(1);
        assertEquals(2L, second.get("epoch"));
        assertEquals(0.367, second.get("loss"));
        assertEquals(0.875, second.get("train_acc"));
        assertEquals(0.883, second.get("test_acc"));
        assertEquals(69L, second.get("time_sec"));
    }

    @Test
    void reRecordingAnEpochReplacesIt() throws Exception {
        Path out = tmp.resolve("run");
        Report r = twoEpochRun(out);
        r.endEpoch("alexnet", 2, 1.0, 0.6, 0.7, 59.0);
        List<String> lines = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(5, lines.size());
        assertEquals("alexnet,2,1.0,0.6,0.7,59.0", lines.get(2));
    }

    @Test
    void chartIsADecodablePngWithThreePanels() throws Exception {
        Path out = tmp.resolve("run");
        twoEpochRun(out);
        byte[] png = Files.readAllBytes(out.resolve("chart.png"));
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertTrue(Arrays.equals(signature, Arrays.copyOf(png, 8)), "PNG signature");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img, "ImageIO decodes the chart");
        assertEquals(3 * TrainingChart.PANEL_WIDTH, img.getWidth());
        assertEquals(TrainingChart.PANEL_HEIGHT, img.getHeight());
        // Not a blank canvas: the lines and labels put more than one colour on it.
        int first = img.getRGB(0, 0);
        boolean varied = false;
        for (int y = 0; y < img.getHeight() && !varied; y += 7)
            for (int x = 0; x < img.getWidth() && !varied; x += 7) varied = img.getRGB(x, y) != first;
        assertTrue(varied, "the chart has content");
    }

    @Test
    void aOneEpochRunStillDrawsAChart() throws Exception {
        Path out = tmp.resolve("run");
        Report r = new Report();
        r.open(settings(), out.toString());
        r.endEpoch("lenet", 1, 2.3, 0.1, 0.1, 1.0);
        assertNotNull(ImageIO.read(out.resolve("chart.png").toFile()));
    }

    @Test
    void noTemporaryFilesAreLeftBehind() throws Exception {
        Path out = tmp.resolve("run");
        twoEpochRun(out);
        try (var files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("chart.png", "history.csv", "history.json", "settings.json"), names);
        }
    }

    @Test
    void anUnwritableDirectoryIsAClearError() throws Exception {
        // Under a regular file no directory can be made, even for root (who ignores permissions).
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Report().open(settings(), file.resolve("run").toString()));
        assertTrue(e.getMessage().contains("cannot write the run directory " + file.resolve("run")), e.getMessage());
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new Report().open(settings(), file.toString()));
        assertTrue(e2.getMessage().contains("not a directory"), e2.getMessage());
    }

    @Test
    void withoutARunDirectoryTheHistoryStaysInMemory() {
        Report r = new Report();
        r.endEpoch("lenet", 1, 2.0, 0.25, 0.5, 3.0);
        Map<?, ?> h = (Map<?, ?>) Json.parse(r.history());
        Map<?, ?> net = (Map<?, ?>) ((List<?>) h.get("networks")).get(0);
        assertEquals("lenet", net.get("name"));
        assertEquals(0.25, ((Map<?, ?>) ((List<?>) net.get("epochs")).get(0)).get("train_acc"));
        assertThrows(IllegalStateException.class, () -> r.checkpointDir(1));
    }

    @Test
    void checkpointsKeepOnlyTheLatestCompleteEpoch() throws Exception {
        Path out = tmp.resolve("run");
        Report r = twoEpochRun(out);
        for (int epoch = 1; epoch <= 2; epoch++) {
            Path d = Path.of(r.checkpointDir(epoch));
            assertTrue(d.getFileName().toString().endsWith(".partial"));
            Files.writeString(d.resolve("alexnet.params"), "weights " + epoch);
            r.commitCheckpoint(epoch, Map.of("next_epoch", epoch + 1));
        }
        Path cp = out.resolve("checkpoint");
        try (var files = Files.list(cp)) {
            assertEquals(List.of("epoch-0002", "latest.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("weights 2", Files.readString(cp.resolve("epoch-0002/alexnet.params")));
        Map<?, ?> latest = (Map<?, ?>) Json.parse(Files.readString(cp.resolve("latest.json")));
        assertEquals(2L, latest.get("epoch"));
    }

    @Test
    void aCommitWithoutABegunCheckpointIsRefused() {
        Report r = twoEpochRun(tmp.resolve("run"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.commitCheckpoint(3, Map.of()));
        assertTrue(e.getMessage().contains("checkpointDir(3)"), e.getMessage());
    }

    @Test
    void resumeRestoresHistoryStateAndRandomStream() throws Exception {
        Path out = tmp.resolve("run");
        Rng.seedGlobal(42);
        Report r = twoEpochRun(out);
        for (int i = 0; i < 5; i++) Rng.global().nextUniform();
        r.checkpointDir(2);
        r.commitCheckpoint(2, Map.of("next_epoch", 3, "order", List.of(3, 1, 2)));
        float expectedNext = Rng.global().nextUniform();
        for (int i = 0; i < 100; i++) Rng.global().nextUniform(); // the interrupted epoch draws more
        Rng.seedGlobal(7);

        Report resumed = new Report();
        Map<?, ?> answer = (Map<?, ?>) Json.parse(resumed.resume(out.toString()));
        assertEquals(2L, answer.get("epoch"));
        assertEquals(out.resolve("checkpoint/epoch-0002").toAbsolutePath().normalize().toString(), answer.get("checkpoint"));
        Map<?, ?> state = (Map<?, ?>) answer.get("state");
        assertEquals(3L, state.get("next_epoch"));
        assertEquals(List.of(3L, 1L, 2L), state.get("order"));
        assertEquals(67L, ((Map<?, ?>) answer.get("settings")).get("resize"));
        assertEquals(7L, Rng.global().seed(), "the stream stays until the script asks");
        resumed.restoreRandomState();
        assertEquals(expectedNext, Rng.global().nextUniform());
        assertEquals(42L, Rng.global().seed());

        // The history continues where it stopped: epoch 3 is added to epochs 1 and 2.
        resumed.endEpoch("alexnet", 3, 1.0, 0.7, 0.7, 60.0);
        List<String> lines = Files.readAllLines(out.resolve("history.csv"));
        assertEquals("alexnet,3,1.0,0.7,0.7,60.0", lines.get(3));
        assertEquals(6, lines.size());
        Map<?, ?> settingsFile = (Map<?, ?>) Json.parse(Files.readString(out.resolve("settings.json")));
        assertEquals(1, ((List<?>) settingsFile.get("resumed")).size());
    }

    @Test
    void restoringTheRandomStateNeedsAResumedCheckpoint() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Report().restoreRandomState());
        assertTrue(e.getMessage().contains("report.resume(dir)"), e.getMessage());
    }

    @Test
    void resumingADirectoryWithoutACheckpointIsAClearError() throws Exception {
        Path out = tmp.resolve("run");
        twoEpochRun(out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Report().resume(out.toString()));
        assertTrue(e.getMessage().contains("holds no finished epoch"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new Report().resume(tmp.resolve("missing").toString()));
        assertTrue(e2.getMessage().contains("is not a directory"), e2.getMessage());
    }

    @Test
    void progressCountsSamplesLossAndAccuracy() {
        EpochProgress p = EpochProgress.start("net epoch 1", 3, false);
        p.batch(128, 128 * 2.0, 64);
        p.batch(32, 32 * 1.0, 32);
        assertEquals(160, p.samples());
        String m = p.message();
        assertTrue(m.matches("\\d+ img/s loss 1\\.8000 acc 0\\.600"), m);
        p.close();
    }

    @Test
    void jsonRoundTripsNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\" \\ line\nnext");
        m.put("n", List.of(1L, 2.5, -3e-7, true, false));
        m.put("nested", Map.of("empty", List.of(), "obj", Map.of()));
        m.put("nothing", null);
        assertEquals(m, Json.parse(Json.write(m)));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
    }
}
