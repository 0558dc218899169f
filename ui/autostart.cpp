#include "ui/autostart.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStringList>

#include <algorithm>

namespace paas {

namespace {

const char* const kMinimized = "--minimized";

#ifdef Q_OS_MACOS
QString xmlEscaped(QString s)
{
    return s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
}

QByteArray launchAgent(const QString& appId, const QString& executable)
{
    return QStringLiteral(
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
               "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
               "<plist version=\"1.0\">\n<dict>\n"
               "  <key>Label</key>\n  <string>%1</string>\n"
               "  <key>ProgramArguments</key>\n  <array>\n    <string>%2</string>\n    <string>%3</string>\n  "
               "</array>\n"
               "  <key>RunAtLoad</key>\n  <true/>\n"
               "  <key>ProcessType</key>\n  <string>Interactive</string>\n"
               "</dict>\n</plist>\n")
        .arg(xmlEscaped(appId), xmlEscaped(executable), QLatin1String(kMinimized))
        .toUtf8();
}
#else
QByteArray desktopEntry(const QString& appId, const QString& executable)
{
    return QStringLiteral(
               "[Desktop Entry]\n"
               "Type=Application\n"
               "Name=paas\n"
               "Comment=Start paas in the tray at login\n"
               "Exec=%1\n"
               "Icon=%2\n"
               "Terminal=false\n"
               "X-GNOME-Autostart-enabled=true\n")
        .arg(Autostart::desktopExec({executable, QLatin1String(kMinimized)}), appId)
        .toUtf8();
}
#endif

}  // namespace

Autostart::Autostart(QString appId, QString executable) : m_appId(std::move(appId)), m_executable(std::move(executable))
{
}

QString Autostart::desktopExec(const QStringList& argv)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    QStringList out;
    for (QString arg : argv) {
        // "%" is a field code in Exec: always doubled.
        arg.replace(QLatin1Char('%'), QStringLiteral("%%"));
        const bool quote = std::any_of(arg.begin(), arg.end(), [](QChar c) { return reserved.contains(c); });
        if (quote) {
            for (const char* c : {"\\", "\"", "`", "$"})
                arg.replace(QLatin1String(c), QLatin1String("\\") + QLatin1String(c));
            arg = QLatin1Char('"') + arg + QLatin1Char('"');
        }
        // Exec is a string value too: its own escape rule (\\ for a
        // backslash) applies on top of the quoting rule.
        arg.replace(QLatin1String("\\"), QLatin1String("\\\\"));
        out << arg;
    }
    return out.join(QLatin1Char(' '));
}

QString Autostart::filePath() const
{
#ifdef Q_OS_MACOS
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/") + m_appId + QStringLiteral(".plist");
#else
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || QDir::isRelativePath(config))  // the XDG spec ignores a relative value
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/") + m_appId + QStringLiteral(".desktop");
#endif
}

QByteArray Autostart::content() const
{
#ifdef Q_OS_MACOS
    return launchAgent(m_appId, m_executable);
#else
    return desktopEntry(m_appId, m_executable);
#endif
}

bool Autostart::isEnabled() const
{
    return QFileInfo::exists(filePath());
}

bool Autostart::setEnabled(bool enabled, QString* error)
{
    const QString path = filePath();
    if (!enabled) {
        if (!QFileInfo::exists(path) || QFile::remove(path))
            return true;
        if (error)
            *error = QStringLiteral("cannot remove %1").arg(path);
        return false;
    }
    QSaveFile file(path);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !file.open(QIODevice::WriteOnly) ||
        file.write(content()) < 0 || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace paas
