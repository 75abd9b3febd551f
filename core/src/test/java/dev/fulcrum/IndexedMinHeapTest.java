package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexedMinHeapTest
{
    @Test
    void shouldOrderByKeyThenIdWhenKeysTie()
    {
        final int[] keys = {3, 1, 1, 0, 2};
        final IndexedMinHeap heap = new IndexedMinHeap(keys);
        assertTrue(heap.isValid());
        assertEquals(3, heap.peek());

        keys[3] = 5;
        heap.increased(3);
        assertTrue(heap.isValid());
        assertEquals(1, heap.peek(), "ids 1 and 2 tie on key 1: the lower id wins");

        keys[2] = 0;
        heap.decreased(2);
        assertTrue(heap.isValid());
        assertEquals(2, heap.peek());
    }

    @Test
    void shouldMatchLinearScanAfterEveryOperationWhenKeysChangeAtRandom()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++)
        {
            final int n = 1 + random.nextInt(40);
            final int[] keys = new int[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = random.nextInt(5);
            }
            final IndexedMinHeap heap = new IndexedMinHeap(keys);
            assertTrue(heap.isValid());
            for (int op = 0; op < 500; op++)
            {
                final int id = random.nextInt(n);
                if (random.nextBoolean() || keys[id] == 0)
                {
                    keys[id] += 1 + random.nextInt(3);
                    heap.increased(id);
                }
                else
                {
                    keys[id] -= 1 + random.nextInt(keys[id]);
                    heap.decreased(id);
                }
                assertTrue(heap.isValid(), "heap invariant broken at round " + round + ", op " + op);
                assertEquals(referenceMin(keys), heap.peek(), "round " + round + ", op " + op);
            }
        }
    }

    private static int referenceMin(final int[] keys)
    {
        int best = 0;
        for (int i = 1; i < keys.length; i++)
        {
            if (keys[i] < keys[best])
            {
                best = i;
            }
        }
        return best;
    }
}
