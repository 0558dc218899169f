#include "ui/shellpage.h"

#include <QDesktopServices>
#include <QLoggingCategory>

namespace paas {

namespace {
Q_LOGGING_CATEGORY(lcPage, "paas.ui.page")

// A page that lives for one navigation: window.open() targets land here, and
// the first URL decides where they go.
class PopupPage : public QWebEnginePage {
public:
    PopupPage(ShellPage* owner, QWebEngineProfile* profile) : QWebEnginePage(profile, owner), m_owner(owner) {}

protected:
    bool acceptNavigationRequest(const QUrl& url, NavigationType, bool) override
    {
        if (m_owner->isAppUrl(url))
            m_owner->setUrl(url);
        else
            m_owner->openExternally(url);
        deleteLater();
        return false;
    }

private:
    ShellPage* m_owner;
};
}  // namespace

ShellPage::ShellPage(QUrl apiUrl, QWebEngineProfile* profile, QObject* parent)
    : QWebEnginePage(profile, parent), m_apiUrl(std::move(apiUrl))
{
}

bool ShellPage::isAppUrl(const QUrl& url) const
{
    static const QStringList inert = {QStringLiteral("about"), QStringLiteral("data"), QStringLiteral("blob")};
    if (inert.contains(url.scheme()))
        return true;
    return url.scheme() == m_apiUrl.scheme() && url.host().compare(m_apiUrl.host(), Qt::CaseInsensitive) == 0 &&
           url.port(80) == m_apiUrl.port(80);
}

bool ShellPage::acceptNavigationRequest(const QUrl& url, NavigationType type, bool isMainFrame)
{
    if (!isMainFrame || isAppUrl(url) || type != NavigationTypeLinkClicked)
        return true;
    openExternally(url);
    return false;
}

QWebEnginePage* ShellPage::createWindow(WebWindowType)
{
    return new PopupPage(this, profile());
}

void ShellPage::openExternally(const QUrl& url)
{
    qCInfo(lcPage) << "opening in the desktop browser:" << url.toString();
    emit externalUrlOpened(url);
    if (m_externalHandler)
        m_externalHandler(url);
    else if (!QDesktopServices::openUrl(url))
        qCWarning(lcPage) << "no desktop browser could open" << url.toString();
}

}  // namespace paas
