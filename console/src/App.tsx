import { Center, Loader, Modal } from "@mantine/core";
import { SignInPage, SignInForm } from "./session/SignIn";
import { useSession } from "./session/SessionContext";
import { Shell } from "./shell/Shell";
import { StreamProvider } from "./stream/StreamContext";

export function App() {
  const { view, expired } = useSession();
  if (view === undefined) {
    return <Center h="100vh"><Loader aria-label="Loading" /></Center>;
  }
  if (view === null) return <SignInPage />;
  return (
    <StreamProvider>
      <Shell />
      {/* Over the page, never instead of it: what was typed stays where it was. */}
      <Modal opened={expired} onClose={() => undefined} withCloseButton={false} closeOnEscape={false}
        closeOnClickOutside={false} title="Your session ended: sign in again" centered>
        <SignInForm defaultName={view.user} />
      </Modal>
    </StreamProvider>
  );
}
