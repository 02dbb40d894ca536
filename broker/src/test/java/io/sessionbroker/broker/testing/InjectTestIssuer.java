package io.sessionbroker.broker.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a {@link io.sessionbroker.testsupport.TestIssuer} started by {@link BrokerTestResources}:
 * {@code value} "test" (no client allow-list) or "other" (allow-list {@code app1}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectTestIssuer {
  String value() default "test";
}
