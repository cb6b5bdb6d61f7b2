package org.vpsd.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * vpsd's logging, set up in code (found by logback through {@code java.util.ServiceLoader}): logs go
 * to standard error, since standard output is for what a command prints (tokens, listings); vpsd's own
 * at {@code VPSD_LOG_LEVEL} (INFO unless set), everything else at WARN. Reading the same from an XML
 * file took logback 44-59 ms of every start, this 21-28 ms (bench/RESULTS.md). A file named by
 * {@code -Dlogback.configurationFile=...}, or a {@code logback-test.xml} on the class path, is used
 * instead, as logback always does.
 */
public final class LogConfig extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogConfig.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("org.vpsd").setLevel(level());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** {@code VPSD_LOG_LEVEL}, a system property or else an environment variable; INFO when unset or not a level. */
    static Level level() {
        String configured = System.getProperty("VPSD_LOG_LEVEL", System.getenv("VPSD_LOG_LEVEL"));
        return Level.toLevel(configured, Level.INFO);
    }
}
