package org.impckg;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j (community, 5.26) with only its Bolt connector, for impc-kg tests,
 * CI and developers: no server install, no Docker, just the Maven Central jars.
 *
 * <pre>
 * java -cp 'target/neo4j-launcher.jar:target/lib/*' org.impckg.Neo4jLauncher \
 *      --home DIR --bolt-port PORT [--password PW] [--page-cache 256m] [--config neo4j.conf]
 *      [--no-stdin-watch]
 * </pre>
 *
 * <p>Contract with the parent process (kg/store/neo4j_launcher.py relies on it):
 * <ul>
 *   <li>stdout carries exactly one line, {@code NEO4J READY bolt://127.0.0.1:PORT}, once the
 *       default database is available and the Bolt port accepts connections. Everything else
 *       (Neo4j's user log, our own messages, stray prints) goes to {@code DIR/logs/launcher.log};
 *       Neo4j's debug log is {@code DIR/logs/debug.log}.</li>
 *   <li>SIGTERM / SIGINT shut the DBMS down cleanly (shutdown hook), exit status 0.</li>
 *   <li>End-of-file on stdin also shuts down, so a parent that dies (even by SIGKILL) never
 *       leaves an orphan JVM holding the port and the store lock. Disable with
 *       {@code --no-stdin-watch} when starting it by hand with stdin at /dev/null.</li>
 *   <li>Bolt listens on 127.0.0.1 only, unencrypted; HTTP/HTTPS are off.</li>
 *   <li>Auth is disabled unless {@code --password} is given; then user {@code neo4j} gets that
 *       password (no forced change). Passwords shorter than 8 characters are accepted
 *       (minimum length lowered to 1) since this is a local test instance.</li>
 * </ul>
 * Exit status: 0 after a clean shutdown, 2 on bad arguments, 1 if start-up failed.
 */
public final class Neo4jLauncher {

    public static final String READY_PREFIX = "NEO4J READY ";
    private static final String LOOPBACK = "127.0.0.1";

    private final AtomicBoolean stopped = new AtomicBoolean(false);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile DatabaseManagementService dbms;
    private PrintStream log;

    private static final class Options {
        Path home;
        int boltPort = -1;
        String password;
        long pageCacheBytes = 256L * 1024 * 1024;
        Path config;
        boolean watchStdin = true;
        long boltShutdownWaitMs = 500;
        Duration startTimeout = Duration.ofMinutes(5);
    }

    public static void main(String[] args) {
        Options opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Neo4jLauncher: " + e.getMessage());
            System.err.println(
                    "usage: Neo4jLauncher --home DIR --bolt-port PORT [--password PW] [--page-cache 256m]"
                            + " [--config neo4j.conf] [--start-timeout-seconds N] [--no-stdin-watch]");
            System.exit(2);
            return;
        }
        int status = new Neo4jLauncher().run(opts);
        System.exit(status);
    }

    private int run(Options opts) {
        // Keep the real stdout for the READY line only; everything else goes to the log file.
        PrintStream ready = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        Path logDir = opts.home.resolve("logs");
        try {
            Files.createDirectories(logDir);
            log = new PrintStream(new FileOutputStream(logDir.resolve("launcher.log").toFile(), true), true,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("Neo4jLauncher: cannot create log file in " + logDir + ": " + e);
            return 1;
        }
        System.setOut(log);
        System.setErr(log);

        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "neo4j-launcher-shutdown"));
        if (opts.watchStdin) {
            Thread watcher = new Thread(() -> watchStdin(System.in), "neo4j-launcher-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        Instant t0 = Instant.now();
        info("starting Neo4j (home=" + opts.home + ", bolt=" + LOOPBACK + ":" + opts.boltPort
                + ", auth=" + (opts.password != null) + ", pagecache=" + opts.pageCacheBytes + " bytes"
                + ", java=" + System.getProperty("java.version")
                + ", maxHeap=" + (Runtime.getRuntime().maxMemory() >> 20) + "m)");
        try {
            DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(opts.home);
            if (opts.config != null) {
                builder.loadPropertiesFromFile(opts.config);
            }
            builder.setUserLogProvider(new Log4jLogProvider(log, Level.INFO))
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(LOOPBACK, opts.boltPort))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(LOOPBACK, opts.boltPort))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, opts.pageCacheBytes)
                    // Test stores are small and short-lived: do not pre-allocate 250 MB transaction logs.
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, opts.password != null)
                    .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
                    // Never phone home: no network but loopback here, and tests must not reach out.
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                    // Bolt's shutdown otherwise waits ~5 s per connector for connections and
                    // worker threads that a test server does not have: 10 s of every stop().
                    .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(opts.boltShutdownWaitMs))
                    .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(opts.boltShutdownWaitMs));
            dbms = builder.build();
            if (stopped.get()) { // SIGTERM arrived while building
                shutdown();
                return 0;
            }
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            long timeoutMs = opts.startTimeout.toMillis();
            if (!db.isAvailable(timeoutMs)) {
                throw new IllegalStateException("default database '" + GraphDatabaseSettings.DEFAULT_DATABASE_NAME
                        + "' not available after " + timeoutMs + " ms");
            }
            if (opts.password != null) {
                setPassword(opts.password);
            }
            awaitPort(opts.boltPort, Instant.now().plus(Duration.ofSeconds(60)));
        } catch (Throwable e) {
            info("start-up FAILED: " + e);
            e.printStackTrace(log);
            shutdown();
            return 1;
        }
        String uri = "bolt://" + LOOPBACK + ":" + opts.boltPort;
        info("ready at " + uri + " after " + Duration.between(t0, Instant.now()).toMillis() + " ms");
        ready.println(READY_PREFIX + uri);
        ready.flush();

        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Gives user neo4j the requested password; harmless if the store already has it. */
    private void setPassword(String password) {
        var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has (a re-used home DIR).
            String msg = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (!(msg.contains("old password") && msg.contains("same"))) {
                throw e;
            }
            info("password unchanged (already set in this home)");
        }
    }

    /** Bolt is started by build(), but we only say READY once a client could really connect. */
    private static void awaitPort(int port, Instant deadline) throws IOException, InterruptedException {
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(50);
            }
        }
        throw new IOException("Bolt port " + port + " does not accept connections", last);
    }

    private void watchStdin(InputStream in) {
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                // Input is ignored; we only care about end-of-file.
            }
        } catch (IOException e) {
            info("stdin read failed (" + e + "), treating as closed");
        }
        info("stdin closed: parent is gone or asked us to stop");
        System.exit(0); // runs the shutdown hook
    }

    private void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        DatabaseManagementService d = dbms;
        if (d != null) {
            info("shutting down");
            try {
                d.shutdown();
                info("shutdown complete");
            } catch (Throwable e) {
                info("shutdown failed: " + e);
                e.printStackTrace(log);
            }
        }
        if (log != null) {
            log.flush();
        }
        done.countDown();
    }

    private void info(String msg) {
        PrintStream p = log != null ? log : System.err;
        p.println(Instant.now() + " [neo4j-launcher] " + msg);
    }

    // ---------------------------------------------------------------- argument parsing

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home" -> o.home = Paths.get(value(args, ++i, a)).toAbsolutePath().normalize();
                case "--bolt-port" -> o.boltPort = parsePort(value(args, ++i, a));
                case "--password" -> o.password = value(args, ++i, a);
                case "--page-cache" -> o.pageCacheBytes = parseBytes(value(args, ++i, a));
                case "--config" -> o.config = Paths.get(value(args, ++i, a)).toAbsolutePath();
                case "--start-timeout-seconds" -> o.startTimeout = Duration.ofSeconds(
                        Long.parseLong(value(args, ++i, a)));
                case "--no-stdin-watch" -> o.watchStdin = false;
                case "--bolt-shutdown-wait-ms" -> o.boltShutdownWaitMs = Long.parseLong(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (o.home == null) {
            throw new IllegalArgumentException("--home is required");
        }
        if (o.boltPort < 0) {
            throw new IllegalArgumentException("--bolt-port is required");
        }
        if (o.password != null && o.password.isEmpty()) {
            throw new IllegalArgumentException("--password must not be empty");
        }
        return o;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String s) {
        int p;
        try {
            p = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port: " + s);
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port out of range: " + s);
        }
        return p;
    }

    /** "256m", "1g", "512k" or plain bytes. */
    static long parseBytes(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        long mult = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> mult = 1L << 10;
            case 'm' -> mult = 1L << 20;
            case 'g' -> mult = 1L << 30;
            default -> { }
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Long.parseLong(t) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad size: " + s);
        }
    }
}
