import { Alert, AppShell, Burger, Button, Group, Loader, NavLink, Select, Text, Title } from "@mantine/core";
import { lazy, Suspense, type ReactNode } from "react";
import { useDisclosure } from "@mantine/hooks";
import { Link, Route, Switch, useLocation } from "wouter";
import { useSession, useUser, isAdmin, canTrade } from "../session/SessionContext";
import { AccountsProvider, useAccounts, useReadable } from "./AccountsContext";
import { FeedBadge } from "./FeedBadge";
import { StreamErrors } from "./StreamErrors";
import { ThemeToggle } from "./ThemeToggle";
import { TicketProvider } from "../ticket/TicketContext";
import { useFollow } from "../stream/StreamContext";
import { MarketWatchPage } from "../pages/MarketWatch";
import { OrdersPage } from "../pages/Orders";
import { OrderBookProvider } from "../pages/orders/OrderBookContext";

// The pages a desk opens first come with the first load; the others load when first opened.
const PortfolioPage = lazy(() => import("../pages/Portfolio").then((module) => ({ default: module.PortfolioPage })));
const BrokersPage = lazy(() => import("../pages/Brokers").then((module) => ({ default: module.BrokersPage })));
const AdminPage = lazy(() => import("../pages/Admin").then((module) => ({ default: module.AdminPage })));
const OptionChainPage = lazy(() => import("../pages/OptionChain").then((module) => ({ default: module.OptionChainPage })));

interface Page {
  path: string;
  label: string;
  admin?: boolean;
}
const PAGES: Page[] = [
  { path: "/", label: "Market watch" },
  { path: "/orders", label: "Orders" },
  { path: "/portfolio", label: "Portfolio" },
  { path: "/chain", label: "Option chain" },
  { path: "/brokers", label: "Broker connections" },
  { path: "/admin", label: "Admin", admin: true },
];

function AccountPicker() {
  const { list, current, choose } = useAccounts();
  const names = list.data?.map((account) => account.account) ?? [];
  if (!names.length) return <Text size="sm" c="dimmed">no account</Text>;
  return (
    <Select aria-label="Account" data={names} value={current} onChange={(value) => value && choose(value)}
      allowDeselect={false} w={110} size="xs" comboboxProps={{ withinPortal: true }} />
  );
}

function Header({ navOpen, toggleNav }: { navOpen: boolean; toggleNav: () => void }) {
  const user = useUser();
  const { signOut } = useSession();
  const { current } = useAccounts();
  const readable = useReadable(current);
  useFollow(readable ? current : null); // the feed state badge hears the account's state events on every page
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <Burger opened={navOpen} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Navigation" />
        <Title order={1} size="h4" visibleFrom="sm">brokerplex</Title>
        <AccountPicker />
        {current && <FeedBadge account={current} />}
      </Group>
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" visibleFrom="sm">{user.user} ({user.role})</Text>
        <ThemeToggle />
        <Button variant="default" size="xs" onClick={() => void signOut()}>Sign out</Button>
      </Group>
    </Group>
  );
}

/** The current account cannot trade until it logs in again (a Kite session ends at 06:00 IST): said on every
 * page, with the way there. */
function LoginPrompt() {
  const { list, current } = useAccounts();
  const session = list.data?.find((row) => row.account === current)?.session;
  if (!current || !session || session.state === "live") return null;
  return (
    <Alert color="orange" role="alert" mb="sm" p="xs" title={`${current} ${session.state === "expired" ? "session expired" : "is not logged in"}`}>
      <Text size="sm">Log in again under <Link href="/brokers">Broker connections</Link> to trade and see live prices.</Text>
    </Alert>
  );
}

/** The current account's books, live above the pages (the shell follows the account's stream). */
function CurrentBooks({ children }: { children: ReactNode }) {
  const { current } = useAccounts();
  return <OrderBookProvider account={useReadable(current) ? current : null}>{children}</OrderBookProvider>;
}

export function Shell() {
  const user = useUser();
  const [navOpen, { toggle, close }] = useDisclosure(false);
  const [location] = useLocation();
  const pages = PAGES.filter((page) => !page.admin || isAdmin(user));
  return (
    <AccountsProvider>
      <CurrentBooks>
      <TicketProvider enabled={canTrade(user)}>
        <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: "sm", collapsed: { mobile: !navOpen } }}
          padding="sm">
          <AppShell.Header><Header navOpen={navOpen} toggleNav={toggle} /></AppShell.Header>
          <AppShell.Navbar p="xs" component="nav" aria-label="Pages">
            {pages.map((page) => (
              <NavLink key={page.path} component={Link} href={page.path} label={page.label} onClick={close}
                active={location === page.path} aria-current={location === page.path ? "page" : undefined} />
            ))}
            <Text size="xs" c="dimmed" mt="auto" pt="md">
              Charts by <a href="https://www.tradingview.com/" target="_blank" rel="noreferrer">TradingView</a> Lightweight Charts™
            </Text>
          </AppShell.Navbar>
          <AppShell.Main>
            <LoginPrompt />
            <StreamErrors />
            <Suspense fallback={<Loader aria-label="Loading the page" />}>
            <Switch>
              <Route path="/"><MarketWatchPage /></Route>
              <Route path="/orders"><OrdersPage /></Route>
              <Route path="/portfolio"><PortfolioPage /></Route>
              <Route path="/chain"><OptionChainPage /></Route>
              <Route path="/brokers"><BrokersPage /></Route>
              <Route path="/admin">{isAdmin(user) ? <AdminPage /> : <Text>Admins only.</Text>}</Route>
              <Route><Text>No such page.</Text></Route>
            </Switch>
            </Suspense>
          </AppShell.Main>
        </AppShell>
      </TicketProvider>
      </CurrentBooks>
    </AccountsProvider>
  );
}
