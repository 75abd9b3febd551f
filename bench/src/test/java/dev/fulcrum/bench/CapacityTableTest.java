package dev.fulcrum.bench;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapacityTableTest
{
    private static final int[] WORKERS = {2, 4, 8, 16, 32, 64, 128, 256};

    @Test
    void shouldCallGrowthLogWhenTheCostAddsTheSameForEveryDoubling()
    {
        final CapacityTable table = table("p", w -> 100 + 10 * log2(w));
        final CapacityTable.Growth g = table.growth("p", false);
        assertEquals(10, g.nsPerDoubling(), 1e-9);
        assertTrue(g.logFitsBetter());
        assertEquals("log or better", g.verdict());
    }

    @Test
    void shouldCallGrowthFasterThanLogWhenTheCostIsLinearInWorkers()
    {
        final CapacityTable.Growth g = table("p", w -> 100 + 2.0 * w).growth("p", false);
        assertEquals(2, g.nsPerWorker(), 1e-9);
        assertFalse(g.logFitsBetter());
        assertTrue(g.verdict().startsWith("faster than log"), g.verdict());
    }

    @Test
    void shouldCallGrowthBetterThanLogWhenTheCostFalls()
    {
        final CapacityTable.Growth g = table("p", w -> 300 - 5 * log2(w)).growth("p", false);
        assertTrue(g.verdict().contains("better than log"), g.verdict());
    }

    @Test
    void shouldNotJudgeGrowthFromFewerThanThreeWorkerCounts()
    {
        final CapacityTable table = new CapacityTable();
        table.add(2, "p", false, fork(100));
        table.add(4, "p", false, fork(110));
        assertNull(table.growth("p", false));
    }

    @Test
    void shouldShowTheMedianAndTheSpreadOfTheForksAsDispatchesPerSecond()
    {
        final CapacityTable table = new CapacityTable();
        table.add(2, "leastLoaded", false, fork(100)); // 10 M/s
        table.add(2, "leastLoaded", false, fork(200)); // 5 M/s
        table.add(2, "leastLoaded", false, fork(125)); // 8 M/s
        table.add(2, "leastLoaded", true, fork(250));
        assertEquals(125, table.medianNs(2, "leastLoaded", false), 1e-9);
        final String md = table.markdown();
        assertTrue(md.contains("| 2 | 8.00 (5.00 to 10.0) |"), md);
        assertTrue(md.contains("Keyed (every request its own key)"), md);
        assertTrue(md.contains("| 2 | 4.00 |"), md); // one fork: no spread
    }

    @Test
    void shouldDrawAWellFormedChartWithALinePerPolicyAndKeyedOrNot() throws Exception
    {
        final CapacityTable table = table("leastLoaded", w -> 100 + 10 * log2(w));
        for (final int w : WORKERS)
        {
            table.add(w, "leastLoaded", true, fork(150 + 12 * log2(w)));
            table.add(w, "roundRobin", false, fork(90));
        }
        final String svg = table.svg("title <&>");
        final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, doc.getElementsByTagName("polyline").getLength());
        assertTrue(svg.contains("leastLoaded, keyed"), svg);
        assertTrue(svg.contains("title &lt;&amp;&gt;"), svg);
    }

    @Test
    void shouldRefuseAForkWithoutACost()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new CapacityTable().add(2, "p", false, fork(0)));
        assertTrue(ex.getMessage().contains("nsPerDispatch=0"), ex::getMessage);
    }

    private static CapacityTable table(final String policy, final IntToDoubleFunction ns)
    {
        final CapacityTable table = new CapacityTable();
        for (final int w : WORKERS)
        {
            table.add(w, policy, false, fork(ns.applyAsDouble(w)));
        }
        return table;
    }

    private static CapacityTable.Fork fork(final double ns)
    {
        return new CapacityTable.Fork(ns, ns, 16);
    }

    private static double log2(final int w)
    {
        return Math.log(w) / Math.log(2);
    }
}
