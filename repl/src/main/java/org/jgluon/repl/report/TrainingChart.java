package org.jgluon.repl.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The training chart: three panels side by side (training loss, training accuracy, test
 * accuracy against the epoch), one line per network, drawn with XChart into one PNG.
 */
final class TrainingChart {

    static final int PANEL_WIDTH = 520;
    static final int PANEL_HEIGHT = 400;

    static {
        // A chart is drawn off-screen; never try to reach a display (there is none on a server).
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private TrainingChart() {}

    static byte[] png(History history, String title) {
        List<XYChart> panels = List.of(
                panel(history, title, "training loss", "loss", History.Epoch::loss),
                panel(history, title, "training accuracy", "train acc", History.Epoch::trainAcc),
                panel(history, title, "test accuracy", "test acc", History.Epoch::testAcc));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BitmapEncoder.saveBitmap(panels, 1, panels.size(), out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("report: cannot draw the training chart: " + AtomicFiles.describe(e), e);
        }
        return out.toByteArray();
    }

    private static XYChart panel(History history, String title, String what, String yTitle,
                                 ToDoubleFunction<History.Epoch> value) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(title == null || title.isBlank() ? what : title + ": " + what)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(what.contains("loss") ? Styler.LegendPosition.InsideNE
                : Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        int maxEpoch = 1;
        for (Map.Entry<String, List<History.Epoch>> e : history.networks().entrySet()) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (History.Epoch ep : e.getValue()) {
                double y = value.applyAsDouble(ep);
                if (!Double.isFinite(y)) continue;
                xs.add((double) ep.epoch());
                ys.add(y);
                maxEpoch = Math.max(maxEpoch, ep.epoch());
            }
            if (!xs.isEmpty()) chart.addSeries(e.getKey(), xs, ys);
        }
        // Whole epochs on the x axis, and a visible range even for a one-epoch run.
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) maxEpoch + (maxEpoch < 10 ? 1 : 0));
        return chart;
    }
}
