package io.sessionbroker.broker.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sessionbroker.broker.testing.BrokerTestResources;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The verdict feed's pattern subscription holds one Redis connection, however often it is renewed
 * (with each discovery, after a silence): a renewal that left its old connection subscribed once
 * used up the broker's whole Redis pool within minutes, and then every logout was journaled and
 * every API call answered 503.
 */
@QuarkusTest
@WithTestResource(BrokerTestResources.class)
class VerdictSubscriptionConnectionsTest {

  @Inject RevocationFeed feed;

  @Inject RedisDataSource redis;

  @Test
  void whenTheSubscriptionIsRenewedManyTimesThenOneConnectionStaysSubscribed() {
    for (int i = 0; i < 40; i++) {
      feed.renewSubscription();
    }

    // A closed connection leaves Redis' client list at once; allow the server a moment to see it.
    Awaitility.await("subscribed connections to settle")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(subscribedConnections()).isEqualTo(1));
  }

  @Test
  void whenASubscriptionTimesOutThenItsConnectionDoesNotStaySubscribed() {
    // Redis answers nobody for 4 s: the PSUBSCRIBE outlives the broker's Redis timeout (2 s) and
    // its confirmation arrives after the broker gave up on it.
    redis.execute("CLIENT", "PAUSE", "4000", "ALL");
    try {
      feed.renewSubscription();
    } catch (RuntimeException expected) {
      // the timeout; the next pass of the feed subscribes again
    }
    Awaitility.await("Redis to answer again")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> redis.execute("PING") != null);
    feed.renewSubscription();

    Awaitility.await("subscribed connections to settle")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(subscribedConnections()).isEqualTo(1));
  }

  private long subscribedConnections() {
    String clients = redis.execute("CLIENT", "LIST", "TYPE", "pubsub").toString();
    return clients.lines().filter(line -> line.contains("psub=1")).count();
  }
}
