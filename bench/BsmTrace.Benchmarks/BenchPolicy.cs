namespace BsmTrace.Benchmarks;

/// <summary>A realistic six-sequence policy: event and class sets, paths, a pcre, a multiplier, a zone rule.</summary>
internal static class BenchPolicy
{
    public const string Text = """
        define set $auth <auditevent> { AUE_openssh, AUE_login, AUE_su; };
        define set $exec <auditevent> { AUE_EXEC, AUE_EXECVE; };
        define set $nobody <euid> { 65534; };
        define set $admins <auid> { 0; };
        define set $webroot <path> { /usr/local/www; };
        define set $secrets <path> { /etc/master.passwd, /etc/spwd.db; };
        define set $recon <path> { /usr/bin/id, /usr/bin/whoami, /sbin/ifconfig; };
        define set $tmp <pcre> { "^/(var/)?tmp/.*\\.(sh|pl|py)$"; };

        sequence brute { subject any; timeout 1 weeks; state { event $auth; status failure; multiplier 50; }; state { event $auth; status success; }; };
        sequence web.create { subject $nobody; state { event <auditclass> { fc; }; status success; object not $webroot; }; };
        sequence web.recon { subject $nobody; state { event $exec; status any; object $recon; }; };
        sequence secrets { subject not $admins; state { event <auditclass> { fr; }; status any; object $secrets; }; };
        sequence tmp.exec { subject any; state { event $exec; status success; object $tmp; }; };
        sequence jail.exec { subject any; zone any; timeout 1 hours; state { event $exec; status success; }; state { event <auditclass> { nt; }; status success; }; };
        """;
}
