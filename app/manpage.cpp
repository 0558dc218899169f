#include "app/manpage.h"

#include "app/options.h"

#include <QStringList>

namespace paas {

namespace {

// roff: a backslash is an escape, a leading '.' or '\'' a request, '-' a hyphen.
QString roff(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\e"));
    text.replace(QLatin1Char('-'), QStringLiteral("\\-"));
    if (text.startsWith(QLatin1Char('.')) || text.startsWith(QLatin1Char('\'')))
        text.prepend(QStringLiteral("\\&"));
    return text;
}

QString optionsSection(const std::vector<OptionDoc>& docs)
{
    QStringList out{QStringLiteral(".SH OPTIONS")};
    for (const OptionDoc& o : docs) {
        if (o.flag.isEmpty())
            continue;
        out << QStringLiteral(".TP");
        QString head = QStringLiteral("\\fB\\-\\-%1\\fR").arg(roff(o.flag));
        if (!o.valueName.isEmpty())
            head += QStringLiteral(" \\fI%1\\fR").arg(roff(o.valueName));
        out << head
            << roff(o.help) +
                   (o.env.isEmpty() ? QString() : QStringLiteral(" Environment: \\fB%1\\fR.").arg(roff(o.env)));
    }
    out << QStringLiteral(".TP") << QStringLiteral("\\fB\\-\\-headless\\fR")
        << QStringLiteral("Run without a window (also when there is no display). Environment: \\fBPAAS_HEADLESS\\fR.");
    out << QStringLiteral(".TP") << QStringLiteral("\\fB\\-h\\fR, \\fB\\-\\-help\\fR")
        << QStringLiteral("Print the options and exit.");
    out << QStringLiteral(".TP") << QStringLiteral("\\fB\\-\\-help\\-all\\fR")
        << QStringLiteral("Print the options, with Qt's own (e.g. \\fB\\-platform\\fR), and exit.");
    out << QStringLiteral(".TP") << QStringLiteral("\\fB\\-v\\fR, \\fB\\-\\-version\\fR")
        << QStringLiteral("Print the version and the commit it was built from, and exit.");
    return out.join(QLatin1Char('\n'));
}

QString environmentSection(const std::vector<OptionDoc>& docs)
{
    QStringList out{QStringLiteral(".SH ENVIRONMENT"),
                    QStringLiteral("A flag beats its environment variable, which beats the default.")};
    for (const OptionDoc& o : docs) {
        if (o.env.isEmpty())
            continue;
        out << QStringLiteral(".TP") << QStringLiteral("\\fB%1\\fR").arg(roff(o.env))
            << roff(o.help) +
                   (o.flag.isEmpty() ? QString() : QStringLiteral(" See \\fB\\-\\-%1\\fR.").arg(roff(o.flag)));
    }
    return out.join(QLatin1Char('\n'));
}

}  // namespace

QString manPage(const QString& version, const QString& commit)
{
    const std::vector<OptionDoc> docs = optionDocs();
    QStringList page{
        QStringLiteral(".TH PAAS 1 \"\" \"paas %1\" \"User Commands\"").arg(roff(version)),
        QStringLiteral(".SH NAME"),
        QStringLiteral("paas \\- a local developer PaaS in one desktop app"),
        QStringLiteral(".SH SYNOPSIS"),
        QStringLiteral("\\fBpaas\\fR [\\fIoptions\\fR]"),
        QStringLiteral(".SH DESCRIPTION"),
        QStringLiteral(
            "\\fBpaas\\fR registers apps from a small YAML/JSON spec, creates git repositories for their source "
            "and manifests, builds container images through BuildKit (or plain artifacts), renders Kubernetes "
            "manifests and promotes them between environments. One process holds the engine, a supervised "
            "\\fBnats\\-server\\fR(1) JetStream child, the JSON API with server\\-sent events on "
            "http://127.0.0.1:8080, the web UI in a desktop window and a tray icon."),
        QStringLiteral(".PP"),
        QStringLiteral(
            "Without a display, or with \\fB\\-\\-headless\\fR, it runs as a server only; the systemd user unit "
            "\\fIpaas.service\\fR does that (\\fBsystemctl \\-\\-user enable \\-\\-now paas\\fR)."),
        optionsSection(docs),
        environmentSection(docs),
        QStringLiteral(".SH FILES"),
        QStringLiteral(".TP"),
        QStringLiteral("\\fI$XDG_STATE_HOME/EmbeddedWebApp\\-HTTPAPI\\-BackendNATS/\\fR"),
        QStringLiteral(
            "Projects and their repositories (\\fIartifacts/\\fR) and the NATS store (\\fInats/\\fR); "
            "\\fI$XDG_STATE_HOME\\fR defaults to \\fI~/.local/state\\fR. Uninstalling the package never removes them."),
        QStringLiteral(".TP"),
        QStringLiteral("\\fI$XDG_CONFIG_HOME/autostart/dev.paas.Paas.desktop\\fR"),
        QStringLiteral("Present while \"Start at login\" is checked in the tray or window menu; it runs \\fBpaas "
                       "\\-\\-minimized\\fR."),
        QStringLiteral(".SH EXIT STATUS"),
        QStringLiteral("0 on a normal exit; 2 when an option or the environment is invalid (one line names the flag "
                       "and the fix)."),
        QStringLiteral(".SH SEE ALSO"),
        QStringLiteral("\\fBnats\\-server\\fR(1), \\fBgit\\fR(1), \\fBsystemctl\\fR(1)"),
        QStringLiteral(".SH NOTES"),
        QStringLiteral("Built from commit %1.").arg(roff(commit)),
    };
    return page.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace paas
