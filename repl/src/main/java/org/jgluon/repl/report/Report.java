package org.jgluon.repl.report;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;

/**
 * The training report of a script run, exposed to scripts as the global {@code report}.
 *
 * <p>A run directory ({@code runs/<yyyyMMdd-HHmmss>/} or {@code --out}) receives:
 * <ul>
 *   <li>{@code settings.json}: the script's settings, the engine version and the machine
 *       (cores, threads, vector length);</li>
 *   <li>{@code history.csv}, {@code history.json}, {@code chart.png}: every network's per-epoch
 *       loss, train accuracy, test accuracy and time, rewritten after each epoch, so an
 *       interrupted run keeps what it finished;</li>
 *   <li>{@code checkpoint/}: the last finished epoch's parameters, optimizer state, random
 *       stream and history, for {@code --resume}.</li>
 * </ul>
 * Every file is written atomically (temporary file, then rename). During an epoch a live
 * progress line is drawn when the output is a terminal.
 *
 * <p>Script use: {@code report.open(settings, out)} or {@code report.resume(dir)}; per epoch
 * {@code startEpoch}, {@code batch} for every batch, {@code endEpoch}; then
 * {@code checkpointDir(epoch)}, the script's own {@code save_parameters}/{@code save_states}
 * into it, and {@code commitCheckpoint(epoch, state)}.
 */
public final class Report {

    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private Path runDir;
    private Map<String, Object> settingsFile;
    private History history = new History();
    private Checkpoints checkpoints;
    private EpochProgress progress;
    private boolean live = EpochProgress.interactive();
    private String title = "";
    private Object pendingRng; // the checkpoint's random stream, until restoreRandomState()

    public Report() {}

    /** Starts a run in the default directory {@code runs/<yyyyMMdd-HHmmss>/}. */
    @HostAccess.Export
    public String open(Map<String, ?> settings) {
        return open(settings, null);
    }

    /**
     * Starts a run: creates {@code out} (or the default directory when {@code out} is null or
     * empty) and writes {@code settings.json}. Returns the run directory's absolute path.
     */
    @HostAccess.Export
    public String open(Map<String, ?> settings, String out) {
        Path dir = out == null || out.isBlank() ? defaultRunDir() : Path.of(out);
        createWritable(dir);
        runDir = dir.toAbsolutePath().normalize();
        checkpoints = new Checkpoints(runDir);
        history = new History();
        Map<String, Object> plainSettings = plainMap(settings);
        title = String.valueOf(plainSettings.getOrDefault("title", ""));
        settingsFile = new LinkedHashMap<>();
        settingsFile.put("settings", plainSettings);
        settingsFile.put("engine", MachineInfo.engine());
        settingsFile.put("machine", MachineInfo.machine());
        settingsFile.put("started", OffsetDateTime.now().withNano(0).toString());
        AtomicFiles.writeString(runDir.resolve("settings.json"), Json.write(settingsFile));
        return runDir.toString();
    }

    /**
     * Continues the run in {@code dir} from its last finished epoch: restores the history, notes
     * the resume in {@code settings.json}, and returns (as JSON, for {@code JSON.parse})
     * {@code {"epoch": N, "checkpoint": DIR, "settings": {...}, "state": {...}}} where
     * {@code state} is what the script passed to {@link #commitCheckpoint}. The script then
     * rebuilds its networks, loads their files from {@code checkpoint}, and calls
     * {@link #restoreRandomState()} last (building and initialising draw random numbers too).
     */
    @HostAccess.Export
    public String resume(String dir) {
        if (dir == null || dir.isBlank()) throw new IllegalArgumentException("report.resume: give the run directory to resume");
        Path d = Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException("report.resume: " + dir + " is not a directory — give the run directory "
                    + "a previous run printed (runs/<date-time>/ or its --out)");
        }
        Path settingsPath = d.resolve("settings.json");
        Checkpoints cps = new Checkpoints(d);
        Checkpoints.Latest latest = cps.latest();
        if (latest == null || !Files.isRegularFile(settingsPath)) {
            throw new IllegalArgumentException("report.resume: " + dir + " holds no finished epoch to resume from (no "
                    + Checkpoints.DIR + "/" + Checkpoints.LATEST + (Files.isRegularFile(settingsPath) ? "" : " or settings.json")
                    + ") — start a new run instead");
        }
        createWritable(d);
        Map<String, Object> file;
        try {
            file = plainMap((Map<?, ?>) Json.parse(Files.readString(settingsPath)));
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("report.resume: cannot read " + settingsPath + ": " + e.getMessage(), e);
        }
        runDir = d;
        checkpoints = cps;
        settingsFile = file;
        Map<String, Object> savedSettings = file.get("settings") instanceof Map<?, ?> m ? plainMap(m) : new LinkedHashMap<>();
        title = String.valueOf(savedSettings.getOrDefault("title", ""));
        history = History.fromJsonValue(latest.state().get("history"));
        pendingRng = latest.state().get("rng");

        List<Object> resumes = file.get("resumed") instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        Map<String, Object> note = new LinkedHashMap<>();
        note.put("at", OffsetDateTime.now().withNano(0).toString());
        note.put("from_epoch", latest.epoch());
        note.put("machine", MachineInfo.machine());
        resumes.add(note);
        file.put("resumed", resumes);
        AtomicFiles.writeString(settingsPath, Json.write(file));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("epoch", latest.epoch());
        answer.put("checkpoint", latest.dir().toString());
        answer.put("settings", savedSettings);
        answer.put("state", latest.state());
        return Json.write(answer);
    }

    /** The run directory (absolute), or null before {@link #open} or {@link #resume}. */
    @HostAccess.Export
    public String runDir() {
        return runDir == null ? null : runDir.toString();
    }

    /**
     * Sets the number of compute threads (the engine's one pool), for a script's {@code --threads}
     * flag; call it before {@link #open} so that {@code settings.json} records it. Returns it.
     */
    @HostAccess.Export
    public int setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("report.setThreads: want at least 1 thread, got " + threads);
        Parallel.setThreads(threads);
        return Parallel.threads();
    }

    /** The number of compute threads in use. */
    @HostAccess.Export
    public int threads() {
        return Parallel.threads();
    }

    /** Turns the live progress line on or off (it is on when the output is a terminal and CI is not set). */
    @HostAccess.Export
    public void setLive(boolean on) {
        live = on;
    }

    /** An epoch of {@code network} begins, with {@code batches} training batches. */
    @HostAccess.Export
    public void startEpoch(String network, int epoch, int batches) {
        closeProgress();
        progress = EpochProgress.start(network + " epoch " + epoch, batches, live);
    }

    /** One training batch is done: its sample count, summed loss and number of correct predictions. */
    @HostAccess.Export
    public void batch(double samples, double lossSum, double correct) {
        if (progress != null) progress.batch(samples, lossSum, correct);
    }

    /**
     * An epoch of {@code network} is done: records it and, once a run directory is open, rewrites
     * {@code history.csv}, {@code history.json} and {@code chart.png}. (Without one, a script
     * still gets the progress line and {@link #history()}.)
     */
    @HostAccess.Export
    public void endEpoch(String network, int epoch, double loss, double trainAcc, double testAcc, double seconds) {
        closeProgress();
        if (epoch < 1) throw new IllegalArgumentException("report.endEpoch: epochs count from 1, got " + epoch);
        history.record(network, new History.Epoch(epoch, loss, trainAcc, testAcc, seconds));
        if (runDir != null) writeHistory();
    }

    /** The history so far, as JSON ({@code {"networks": [{"name", "epochs": [...]}]}}). */
    @HostAccess.Export
    public String history() {
        return Json.write(history.toJsonValue());
    }

    /**
     * A fresh directory for epoch {@code epoch}'s checkpoint files; the script saves parameters and
     * optimizer states into it, then calls {@link #commitCheckpoint}.
     */
    @HostAccess.Export
    public String checkpointDir(int epoch) {
        requireOpen("checkpointDir");
        return checkpoints.begin(epoch).toString();
    }

    /**
     * Completes epoch {@code epoch}'s checkpoint. {@code state} is the script's own (epoch,
     * settings, data order ...); the history and the global random stream are added here.
     */
    @HostAccess.Export
    public void commitCheckpoint(int epoch, Map<String, ?> state) {
        requireOpen("commitCheckpoint");
        Map<String, Object> full = plainMap(state == null ? Map.of() : state);
        full.put("epoch", epoch);
        Rng rng = Rng.global();
        Map<String, Object> r = new LinkedHashMap<>();
        // 64-bit values as strings: JSON readers (JavaScript's included) keep only 53 bits of a number.
        r.put("seed", Long.toString(rng.seed()));
        r.put("counter", Long.toString(rng.counter()));
        full.put("rng", r);
        full.put("history", history.toJsonValue());
        checkpoints.commit(epoch, full);
    }

    /**
     * Puts the global random stream ({@code mx.random}: dropout masks, initializers, loader seeds)
     * back where it was when the resumed checkpoint was written.
     */
    @HostAccess.Export
    public void restoreRandomState() {
        if (!(pendingRng instanceof Map<?, ?> r)) {
            throw new IllegalStateException("report.restoreRandomState: no checkpoint was resumed — call report.resume(dir) first");
        }
        try {
            Rng.seedGlobal(Long.parseLong(String.valueOf(r.get("seed"))));
            Rng.global().setCounter(Long.parseLong(String.valueOf(r.get("counter"))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("report.restoreRandomState: the checkpoint's random state " + r + " is damaged", e);
        }
    }

    private void writeHistory() {
        AtomicFiles.writeString(runDir.resolve("history.csv"), history.toCsv());
        AtomicFiles.writeString(runDir.resolve("history.json"), Json.write(history.toJsonValue()));
        AtomicFiles.write(runDir.resolve("chart.png"), TrainingChart.png(history, title));
    }

    private void closeProgress() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    private void requireOpen(String method) {
        if (runDir == null) {
            throw new IllegalStateException("report." + method + ": no run directory yet — call report.open(settings, out) "
                    + "or report.resume(dir) first");
        }
    }

    private static Path defaultRunDir() {
        String stamp = LocalDateTime.now().format(RUN_NAME);
        Path dir = Path.of("runs", stamp);
        for (int i = 2; Files.exists(dir); i++) dir = Path.of("runs", stamp + "-" + i);
        return dir;
    }

    /** Creates {@code dir} and proves it writable, or says exactly why not and what to do. */
    static void createWritable(Path dir) {
        String problem = null;
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                problem = "it exists and is not a directory";
            } else {
                Files.createDirectories(dir);
                Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
                Files.delete(probe);
            }
        } catch (AccessDeniedException e) {
            problem = "permission denied" + (e.getFile() != null && !e.getFile().equals(dir.toString()) ? " on " + e.getFile() : "");
        } catch (IOException | SecurityException e) {
            problem = e instanceof IOException io ? AtomicFiles.describe(io) : e.getMessage();
        }
        if (problem != null) {
            throw new IllegalArgumentException("report: cannot write the run directory " + dir.toAbsolutePath().normalize()
                    + ": " + problem + " — choose a writable directory with --out DIR");
        }
    }

    /** A script's options object as plain Java (maps, lists, strings, numbers, booleans) for JSON. */
    static Map<String, Object> plainMap(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
        return out;
    }

    static Object plain(Object v) {
        return switch (v) {
            case null -> null;
            case Value val -> plainValue(val);
            case Map<?, ?> m -> plainMap(m);
            case List<?> l -> {
                List<Object> out = new ArrayList<>();
                for (Object o : l) out.add(plain(o));
                yield out;
            }
            case Number n -> n instanceof Float || n instanceof Double ? n.doubleValue() : n.longValue();
            case String s -> s;
            case Boolean b -> b;
            case int[] a -> {
                List<Object> out = new ArrayList<>();
                for (int x : a) out.add((long) x);
                yield out;
            }
            case double[] a -> {
                List<Object> out = new ArrayList<>();
                for (double x : a) out.add(x);
                yield out;
            }
            default -> String.valueOf(v);
        };
    }

    private static Object plainValue(Value v) {
        if (v.isNull()) return null;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) return v.fitsInLong() ? (Object) v.asLong() : (Object) v.asDouble();
        if (v.isString()) return v.asString();
        if (v.hasArrayElements()) {
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < v.getArraySize(); i++) out.add(plainValue(v.getArrayElement(i)));
            return out;
        }
        if (v.hasMembers()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : v.getMemberKeys()) {
                Value m = v.getMember(k);
                if (!m.canExecute()) out.put(k, plainValue(m));
            }
            return out;
        }
        return v.toString();
    }
}
