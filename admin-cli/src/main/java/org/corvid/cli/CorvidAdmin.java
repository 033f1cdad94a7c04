package org.corvid.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/corvid-admin}: the daily tasks of a murder's administrator over a node's REST API. Exit status 0
 * on success, 1 when the API said no (the reason on stderr), 2 on a usage error.
 */
@Command(name = "corvid-admin", mixinStandardHelpOptions = true, version = "corvid-admin 0.1.0",
        description = "Administers a Corvid murder through a node's REST API.",
        subcommands = {ServersCommand.class, MailboxesCommand.class, FindCommand.class, ResyncCommand.class,
                StatusCommand.class, MoveCommand.class, MovesCommand.class, DrainCommand.class})
public final class CorvidAdmin implements Callable<Integer> {
    @Option(names = "--url", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:CORVID_URL:-http://localhost:8080}",
            description = "the node's HTTP address (default: $CORVID_URL or ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--user", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:CORVID_ADMIN:-admin:admin}",
            description = "user:password of an administrator (default: $CORVID_ADMIN or the dev realm's admin)")
    String user;

    @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT, description = "print the API's JSON as it came")
    boolean json;

    Api api() {
        return new Api(url, user);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    /** Runs a subcommand's work, turning an API failure into a message on stderr and exit status 1. */
    static int run(Action action) {
        try {
            action.run();
            return 0;
        } catch (Api.Failure e) {
            System.err.println("corvid-admin: " + e.getMessage());
            return 1;
        }
    }

    interface Action {
        void run() throws Api.Failure;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CorvidAdmin()).execute(args));
    }
}
