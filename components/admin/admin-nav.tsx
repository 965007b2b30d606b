import Link from "next/link";

const links = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/fraud", label: "Fraud" },
  { href: "/admin/backtest", label: "Backtest" },
  { href: "/admin/events", label: "Events" },
  { href: "/admin/rules", label: "Blocks & safe list" },
  { href: "/admin/policy", label: "Policy" },
  { href: "/admin/alerts", label: "Alerts" },
  { href: "/admin/client-ip", label: "Client IP" },
];

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="mb-6 flex flex-wrap gap-x-4 gap-y-2 text-sm">
      {links.map((link) => (
        <Link key={link.href} href={link.href} className="font-medium text-indigo-700 hover:underline">
          {link.label}
        </Link>
      ))}
    </nav>
  );
}
