#include "ui/aboutdialog.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QStandardPaths>
#include <QStringList>
#include <QVBoxLayout>

namespace paas {

namespace {

QString link(const QUrl& url, const QString& label)
{
    return QStringLiteral("<a href=\"%1\">%2</a>")
        .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped(), label.toHtmlEscaped());
}

// The docs the package installs (/usr/share/doc/paas), else the web UI.
QString docsLinks(const QUrl& apiUrl)
{
    const QString dir = QStandardPaths::locate(QStandardPaths::GenericDataLocation, QStringLiteral("doc/paas"),
                                               QStandardPaths::LocateDirectory);
    QStringList links;
    for (const char* name : {"README.md", "ARCHITECTURE.md", "API_CONTRACTS.md"}) {
        const QString path = dir + QLatin1Char('/') + QLatin1String(name);
        if (!dir.isEmpty() && QFileInfo::exists(path))
            links << link(QUrl::fromLocalFile(path), QLatin1String(name));
    }
    if (links.isEmpty())
        links << link(apiUrl, QStringLiteral("the web UI"));
    return links.join(QStringLiteral(", "));
}

}  // namespace

QString AboutDialog::text(const AboutInfo& info)
{
    return QStringLiteral(
               "<h3>paas %1</h3><p>A local developer PaaS in one desktop app.</p><table>"
               "<tr><td>Commit</td><td><tt>%2</tt></td></tr>"
               "<tr><td>Artifacts root</td><td>%3</td></tr>"
               "<tr><td>API</td><td>%4</td></tr>"
               "<tr><td>Docs</td><td>%5</td></tr></table>")
        .arg(info.version.toHtmlEscaped(), info.commit.toHtmlEscaped(),
             link(QUrl::fromLocalFile(info.artifactsRoot), info.artifactsRoot),
             link(info.apiUrl, info.apiUrl.toString()), docsLinks(info.apiUrl));
}

AboutDialog::AboutDialog(const AboutInfo& info, QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About paas"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/paas.svg")));
    auto* layout = new QVBoxLayout(this);
    auto* label = new QLabel(text(info), this);
    label->setObjectName(QStringLiteral("aboutText"));
    label->setTextFormat(Qt::RichText);
    label->setOpenExternalLinks(true);
    label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    layout->addWidget(label);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

}  // namespace paas
