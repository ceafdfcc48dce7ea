// The QwenMath variant; see its issue.
import ZooCore
