package org.gort.examples;

import java.util.concurrent.atomic.AtomicLong;
import org.gort.Go;
import org.gort.LongChan;
import org.gort.WaitGroup;
import org.gort.examples.producer.producer;

/**
 * Goroutines written in C send on a channel that a Java goroutine receives
 * from. examples/crosslang/libgort_producer's producer_start(100) spawns
 * 100 C goroutines, goroutine i sending i*i, and closes the channel after
 * the last; the Java goroutine ranges over the channel. The native module
 * "producer" (producer.i, SWIG) returns the channel's address, which
 * LongChan.adopt takes ownership of (it frees the channel on close).
 * C reference: examples/crosslang/consumer.c.
 */
public final class CrossLang {
    public static void main(String[] args) {
        AtomicLong count = new AtomicLong(), sum = new AtomicLong();
        try (LongChan ch = LongChan.adopt(producer.producer_start_address(100));
             WaitGroup wg = new WaitGroup()) {
            wg.go(() -> {
                for (long v : ch) {   // until the C side closes the channel
                    count.incrementAndGet();
                    sum.addAndGet(v);
                }
            });
            wg.await();
        }
        System.out.println("received " + count.get() + " values, sum " + sum.get());
    }
}
