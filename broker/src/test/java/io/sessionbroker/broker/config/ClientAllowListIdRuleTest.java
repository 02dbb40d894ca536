package io.sessionbroker.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** The id rule also guards configured client ids: a bad one stops the broker at start-up. */
class ClientAllowListIdRuleTest {

  private static final Validator VALIDATOR =
      Validation.byDefaultProvider()
          .configure()
          .messageInterpolator(new ParameterMessageInterpolator())
          .buildValidatorFactory()
          .getValidator();

  @Test
  void whenAnAllowListedClientIdHasABraceThenTheConfigurationIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> load("app1,app{2}"))
        .isInstanceOf(ConfigValidationException.class)
        .hasMessageContaining("session-broker.issuers.acme.clients")
        .hasMessageContaining("'{' or '}'");
  }

  @Test
  void whenAllowListedClientIdsPassTheRuleThenTheyAreLoaded() {
    SessionBrokerConfig config = load("app1,urn:foo:bar,app.example.com");

    assertThat(config.issuers().get("acme").clients())
        .hasValue(java.util.List.of("app1", "urn:foo:bar", "app.example.com"));
  }

  private static SessionBrokerConfig load(String clients) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(SessionBrokerConfig.class)
            // Quarkus' own converter for "10s", "24h" (what the application sees).
            .withConverter(Duration.class, 200, new DurationConverter())
            .withValidator(
                new BeanValidationConfigValidator() {
                  @Override
                  public Validator getValidator() {
                    return VALIDATOR;
                  }
                })
            .withSources(
                new PropertiesConfigSource(
                    Map.of(
                        "session-broker.issuers.acme.url",
                        "https://sso.example.com/realms/acme",
                        "session-broker.issuers.acme.clients",
                        clients),
                    "test",
                    100))
            .build();
    return config.getConfigMapping(SessionBrokerConfig.class);
  }
}
