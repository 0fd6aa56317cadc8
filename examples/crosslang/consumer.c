/* consumer.c - the C consumer of producer.h, the reference output of the
 * cross-language example: the Java, C# and Rust consumers print the same. */
#include <stdio.h>

#include "producer.h"

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = producer_start(100);
    if (ch == NULL) {
        perror("producer_start");
        return;
    }
    int64_t v, sum = 0;
    int count = 0;
    while (chan_recv(ch, &v) == 1) {
        sum += v;
        count++;
    }
    chan_free(ch);
    printf("received %d values, sum %lld\n", count, (long long)sum);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
