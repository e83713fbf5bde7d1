package org.jgluon.repl.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-epoch results of one or more networks, in the order the networks were first seen.
 * Recording an epoch that is already there replaces it (a resumed run repeats nothing, but a
 * re-run epoch must not appear twice).
 */
final class History {

    /** One line of the d2l log: {@code epoch %d, loss %.4f, train acc %.3f, test acc %.3f, time %.1f sec}. */
    record Epoch(int epoch, double loss, double trainAcc, double testAcc, double seconds) {}

    private final Map<String, List<Epoch>> networks = new LinkedHashMap<>();

    void record(String network, Epoch e) {
        List<Epoch> list = networks.computeIfAbsent(network, k -> new ArrayList<>());
        list.removeIf(old -> old.epoch() == e.epoch());
        list.add(e);
        list.sort((a, b) -> Integer.compare(a.epoch(), b.epoch()));
    }

    Map<String, List<Epoch>> networks() {
        return networks;
    }

    boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Long format, one row per network and epoch; values at full precision so nothing is lost. */
    String toCsv() {
        StringBuilder sb = new StringBuilder("network,epoch,loss,train_acc,test_acc,time_sec\n");
        networks.forEach((name, epochs) -> {
            for (Epoch e : epochs) {
                sb.append(csvField(name)).append(',').append(e.epoch()).append(',')
                        .append(num(e.loss())).append(',').append(num(e.trainAcc())).append(',')
                        .append(num(e.testAcc())).append(',').append(num(e.seconds())).append('\n');
            }
        });
        return sb.toString();
    }

    private static String num(double d) {
        return Double.isFinite(d) ? Double.toString(d) : "";
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** {@code {"networks": [{"name": ..., "epochs": [{"epoch": 1, "loss": ..., ...}]}]}} */
    Map<String, Object> toJsonValue() {
        List<Object> list = new ArrayList<>();
        networks.forEach((name, epochs) -> {
            List<Object> rows = new ArrayList<>();
            for (Epoch e : epochs) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("epoch", e.epoch());
                row.put("loss", e.loss());
                row.put("train_acc", e.trainAcc());
                row.put("test_acc", e.testAcc());
                row.put("time_sec", e.seconds());
                rows.add(row);
            }
            Map<String, Object> net = new LinkedHashMap<>();
            net.put("name", name);
            net.put("epochs", rows);
            list.add(net);
        });
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("networks", list);
        return root;
    }

    /** Reads back what {@link #toJsonValue()} wrote (a checkpoint's history). */
    static History fromJsonValue(Object value) {
        History h = new History();
        if (!(value instanceof Map<?, ?> root) || !(root.get("networks") instanceof List<?> nets)) {
            throw new IllegalArgumentException("report: the history has no \"networks\" list");
        }
        for (Object n : nets) {
            Map<?, ?> net = (Map<?, ?>) n;
            String name = String.valueOf(net.get("name"));
            h.networks.computeIfAbsent(name, k -> new ArrayList<>());
            for (Object r : (List<?>) net.get("epochs")) {
                Map<?, ?> row = (Map<?, ?>) r;
                h.record(name, new Epoch(((Number) row.get("epoch")).intValue(), d(row.get("loss")),
                        d(row.get("train_acc")), d(row.get("test_acc")), d(row.get("time_sec"))));
            }
        }
        return h;
    }

    private static double d(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
